/* ID numbers never travel in an address (addresses stay in the browser's
 * history and in server logs). On every admin list page this script looks at
 * the search box before the form's GET request (?q=...) is formed: a term that
 * holds an ID number, however written (spaces, dashes, full-width digits, a
 * lower-case x, the 15-digit legacy form), is taken out of the box and sent by
 * POST to the persons' "Find by ID number" lookup instead.
 *
 * The rules are those of registry/identifiers.py (contains_id_number):
 * ID_RUN_PATTERN below is the same string (tests/registry/test_id_shapes.py
 * checks it), and tests/id_shapes.json holds the cases both must agree on.
 * No framework, no CDN: the admin runs on offline machines.
 */
(function () {
  "use strict";

  var ID_RUN_PATTERN = "(?<![0-9\\uff10-\\uff19])[0-9\\uff10-\\uff19]+(?:[ \\t\\u00a0\\u3000\\-\\u2010-\\u2015\\u2212\\uff0d]{1,3}[0-9\\uff10-\\uff19]+)*[Xx\\uff38\\uff58]?(?![0-9\\uff10-\\uff19])";
  var SEPARATORS = /[ \t\u00a0\u3000\-\u2010-\u2015\u2212\uff0d]/g;
  var ID_RUN_MIN = 15;            // the legacy length
  var ID_RUN_MAX_UNBROKEN = 18;   // one unbroken run longer than this is some other number

  function isIdShaped(run) {
    var length = run.replace(SEPARATORS, "").length;
    var broken = length !== run.length;
    return length >= ID_RUN_MIN && (broken || length <= ID_RUN_MAX_UNBROKEN);
  }

  function containsIdNumber(text) {
    if (!text) {
      return false;
    }
    var runs = String(text).match(new RegExp(ID_RUN_PATTERN, "g")) || [];
    for (var i = 0; i < runs.length; i++) {
      if (isIdShaped(runs[i])) {
        return true;
      }
    }
    return false;
  }

  function postToLookup(url, csrfToken, number) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    form.style.display = "none";
    var fields = { csrfmiddlewaretoken: csrfToken, id_number: number };
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function guard(script) {
    var lookupUrl = script && script.getAttribute("data-lookup-url");
    var csrfToken = script && script.getAttribute("data-csrf-token");
    var forms = document.querySelectorAll("#changelist-search");
    Array.prototype.forEach.call(forms, function (searchForm) {
      var box = searchForm.querySelector("input[name=q]");
      if (!box) {
        return;
      }
      box.setAttribute("autocomplete", "off");  // the browser's own memory of typed terms
      searchForm.addEventListener("submit", function (event) {
        if (!containsIdNumber(box.value)) {
          return;
        }
        event.preventDefault();
        var number = box.value;
        box.value = "";
        if (lookupUrl && csrfToken) {
          postToLookup(lookupUrl, csrfToken, number);
        }
      });
    });
  }

  window.creditportalIdGuard = { containsIdNumber: containsIdNumber, ID_RUN_PATTERN: ID_RUN_PATTERN };

  var script = document.currentScript || document.querySelector("script[data-lookup-url]");
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { guard(script); });
  } else {
    guard(script);
  }
})();
