"""ID numbers in every written form: recognised the same way by the server and
the browser (tests/id_shapes.json), masked in every log line through the
project's real logging configuration, and never served back from an address."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import pytest
from django.conf import settings
from django.urls import reverse

from registry.identifiers import ID_RUN_PATTERN, contains_id_number, mask_ids_in_text
from registry.log_filters import MaskIdentifiersFilter

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "id_shapes.json").read_text(encoding="utf-8"))["cases"]
ID_CASES = [case for case in CASES if case["contains_id"]]
OTHER_CASES = [case for case in CASES if not case["contains_id"] and case["text"]]
FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def digits(text: str) -> str:
    """Only the digits of ``text``, half-width: what a reader could piece together."""
    return re.sub(r"\D", "", text.translate(FULL_WIDTH))


def hidden_part(case) -> str:
    """The characters a mask must hide: an ID number's birth date and sequence
    (7th-14th of the 18 or 15), as the digits of the case's text hold them."""
    number = digits(case["text"])
    if len(number) > 18:  # an ID number next to another number: the ID's own digits
        number = digits(re.search(r"\d{4} \d{4} \d{4} \d{4} \d{2}", case["text"]).group())
    return number[6:14] if len(number) >= 17 else number[6:11]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_server_recognises_and_masks_each_written_form(case):
    assert contains_id_number(case["text"]) is case["contains_id"]
    assert mask_ids_in_text(case["text"]) == case["masked"]


@pytest.mark.parametrize("case", ID_CASES, ids=[c["name"] for c in ID_CASES])
def test_a_mask_hides_the_birth_date_and_sequence(case):
    assert hidden_part(case) not in digits(case["masked"])


def test_the_browser_script_uses_the_same_pattern():
    script = (ROOT / "static" / "creditportal" / "id-guard.js").read_text(encoding="utf-8")
    assert f"var ID_RUN_PATTERN = {json.dumps(ID_RUN_PATTERN)};" in script


# --- Logs -----------------------------------------------------------------------------


@pytest.fixture
def project_log():
    """The project's LOGGING, applied afresh, with each of its handlers writing
    into one buffer (same handlers, filters and formatters, only the stream moved)."""
    logging.config.dictConfig(settings.LOGGING)
    buffer = io.StringIO()
    handlers = {h for name in ("", "django") for h in logging.getLogger(name).handlers if hasattr(h, "setStream")}
    assert handlers, "the project's LOGGING has no stream handler"
    previous = [(h, h.setStream(buffer)) for h in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in previous:
            handler.setStream(stream)
        logging.config.dictConfig(settings.LOGGING)


@pytest.mark.parametrize("case", ID_CASES, ids=[c["name"] for c in ID_CASES])
def test_every_written_form_is_masked_in_the_project_log(project_log, case):
    text, hidden = case["text"], hidden_part(case)
    app = logging.getLogger("registry.test")
    app.warning("in the message: %s" % text)
    app.warning("as an argument: %s (%d)", text, 1)
    app.warning("as a named argument: %(number)s", {"number": text})
    try:
        raise ValueError(f"duplicate key (id_number)=({text})")
    except ValueError:
        app.exception("in exception text")
    # Django's own loggers: a request line with the number in its query string,
    # percent-encoded and with "+" for spaces, as the development server logs it.
    logging.getLogger("django.server").warning('"GET /admin/?q=%s HTTP/1.1" 302 0', quote_plus(text))
    logging.getLogger("django.request").warning("Not found: /admin/?q=%s", quote(text))
    output = project_log.getvalue()
    assert output.count("registry.test") == 4 and "ValueError: duplicate key" in output
    assert "django.server" in output and "django.request" in output
    assert hidden not in digits(output), output


def test_other_numbers_are_left_alone_in_the_project_log(project_log):
    logger = logging.getLogger("registry.test")
    for case in OTHER_CASES:
        logger.info("value %s", case["text"])
    output = project_log.getvalue()
    for case in OTHER_CASES:
        assert f"value {case['text']}\n" in output


def test_a_broken_format_string_does_not_leak_its_arguments(project_log):
    logging.getLogger("registry.test").warning("two %s %s but one", "360426 19910101 0071")
    assert "19910101" not in project_log.getvalue()


def test_gunicorn_access_log_is_masked():
    from gunicorn.config import Config

    from registry.gunicorn_logging import MaskingLogger

    config = Config()
    config.set("accesslog", "-")
    logger = MaskingLogger(config)
    for log in (logger.access_log, logger.error_log):
        assert log.handlers and all(
            any(isinstance(f, MaskIdentifiersFilter) for f in handler.filters) for handler in log.handlers
        )


# --- Addresses ------------------------------------------------------------------------

CHANGELISTS = ["admin:registry_creditrecord_changelist", "admin:registry_person_changelist"]


@pytest.mark.parametrize("case", ID_CASES, ids=[c["name"] for c in ID_CASES])
@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_a_search_for_an_id_number_is_refused_and_not_echoed(client, users, changelist, case):
    """Without JavaScript: the address with the number is not served; the user
    lands on the same list (other filters kept) with an empty box and a pointer
    to Find by ID number, and no trace of the number anywhere in the page."""
    client.force_login(users["caseworker_a"])
    url = reverse(changelist)
    response = client.get(url, {"q": case["text"], "o": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    target = unquote(response["Location"])
    assert target == f"{url}?o=1" and not contains_id_number(target)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Find by ID number" in html and "not searched through the address bar" in html
    assert re.search(r'<input[^>]*name="q"[^>]*value=""', html)
    assert hidden_part(case) not in digits(html)


def test_a_change_page_reached_with_the_number_in_its_list_filters_is_refused(client, users):
    client.force_login(users["caseworker_a"])
    url = reverse("admin:registry_person_add")
    response = client.get(url, {"_changelist_filters": "q=360426+19910101+0071"})
    assert response.status_code == 302 and response["Location"] == url


@pytest.mark.parametrize("case", OTHER_CASES, ids=[c["name"] for c in OTHER_CASES])
def test_other_searches_run(client, users, case):
    client.force_login(users["caseworker_a"])
    response = client.get(reverse("admin:registry_creditrecord_changelist"), {"q": case["text"]})
    assert response.status_code == 200


def test_a_person_picker_asked_for_an_id_number_answers_nothing(client, users, tree, make_person):
    """The record form's person picker asks /admin/autocomplete/?term=... as the
    user types: an ID number there is not searched (nor served as a redirect)."""
    person = make_person(tree["A"], name="钱七")
    client.force_login(users["caseworker_a"])
    url = reverse("admin:autocomplete")
    params = {"app_label": "registry", "model_name": "creditrecord", "field_name": "person"}
    response = client.get(url, {**params, "term": "钱"})
    assert [r["id"] for r in response.json()["results"]] == [str(person.pk)]
    response = client.get(url, {**params, "term": person.id_number[:6] + " " + person.id_number[6:]})
    assert response.status_code == 200 and response.json()["results"] == []
