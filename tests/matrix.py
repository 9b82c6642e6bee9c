"""The permission matrix: every route of every app, for every role, GET and POST.

Each app declares its rows next to its own tests, in ``tests/<app>/test_matrix*.py``
as one class per model (or one for routes that belong to no model)::

    class CreditRecordMatrix(AdminMatrix):
        model = CreditRecord
        table = '''
                          anon citizen norole cw_a        cw_b        rev_a       pub_a       sup         admin oper
        GET  changelist   L    L       403    200         200         200         200         200         200   200
        GET  change       L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        POST change       L    L       404    302+/404/404 ...
        POST action:publish_selected ...
        '''

* The **routes** are discovered (``discover_routes``): every URL pattern of the root
  URLconf, which includes every ``ModelAdmin.get_urls()`` (model pages, history,
  custom views such as find, reveal, import), plus every admin action of every
  ModelAdmin (``_get_base_actions``: ``delete_selected`` too). A model's class names
  its routes by their short name (``change``, ``find``, ``import_job``, an unnamed
  pattern by its text, e.g. ``<path:object_id>/``) and its actions as
  ``action:<name>``; a class without a model names full route names
  (``admin:index``, ``set_language``).
  ``tests/cross/test_permission_matrix.py`` fails for any route or action that has
  no GET and POST row (actions: POST) in some class, and for a row whose route no
  longer exists.
* The **roles** are the columns, always all of them (``ROLES``/``HEADER``): anonymous,
  a citizen (an account that is not staff), staff without any grant (norole),
  caseworker of department A, caseworker of B, reviewer of A, publisher of A,
  supervisor of KM (A and B, not C), administrator of YN (all), operator (superuser).
* A **cell** is the answer: a status code, ``L`` (sent to the admin login), and for a
  POST a ``+`` when the request writes (a row changed or appeared in any table, or
  work was scheduled on commit): ``302+``. A POST without ``+`` must leave every
  table as it was (not only answer the status). Routes with an object (an
  ``object_id``, ``job_id``, ...) are asked once per object of ``objects()`` (the
  world's objects in departments A, B and C by default): ``200/404/404`` gives the
  answer for each, a single value stands for all.
* ``LIST changelist`` rows give which objects (by key) the changelist shows
  (``A,B``; ``-`` for none or no page); ``CHOICES add:department`` rows which
  departments (by key: YN KM QJ A B C) a form field offers.

The data (``build_world``) is there once per class (``setUpTestData``; built through the
services by the first class, copied back for the others: ``shared_world``); every request
runs in a savepoint that is rolled back, so a POST that writes does not change what
the next request sees. A class extends the world by overriding ``setUpTestData``
(call ``super()`` first) and adding its objects to ``cls.world``.

Print what the pages answer today, as a table to review (never to paste unread):
``MATRIX_OBSERVE=1 pytest tests/<app>/test_matrix.py -k observe -s`` (a class with
only the header line is enough to start).
"""

from __future__ import annotations

import atexit
import copy
import datetime
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.forms import CheckboxInput, MultiWidget
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = [
    "anonymous",
    "citizen",
    "norole",
    "caseworker_a",
    "caseworker_b",
    "reviewer_a",
    "publisher_a",
    "supervisor",
    "administrator",
    "operator",
]
HEADER = ["anon", "citizen", "norole", "cw_a", "cw_b", "rev_a", "pub_a", "sup", "admin", "oper"]
METHODS = ("GET", "POST", "LIST", "CHOICES")
REASON = "权限矩阵测试：核对"
NO_WRITE_CHECK = object()

# --- routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the URL name with namespace, or "/" + the pattern's text when it has no name
    pattern: str  # the full pattern text, e.g. "admin/registry/person/<path:object_id>/change/"
    nargs: int  # how many arguments the URL takes


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            text = prefix + str(pattern.pattern)
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = "/" + text  # unnamed: its pattern, as a path
            regex = pattern.pattern.regex
            nargs = len(getattr(pattern.pattern, "converters", {})) or regex.groups
            yield Route(key, text, nargs)


_routes_cache: dict = {}


def discover_routes() -> dict[str, Route]:
    """Every URL pattern of the root URLconf (admin model pages and custom views included)."""
    resolver = get_resolver()
    if _routes_cache.get("resolver") is not resolver:
        routes = {}
        for route in _walk(resolver.url_patterns):
            routes.setdefault(route.key, route)
        _routes_cache.update(resolver=resolver, routes=routes)
    return _routes_cache["routes"]


def admin_prefix(model) -> str:
    """The text every pattern of ``model``'s ModelAdmin starts with."""
    root = reverse("admin:index").lstrip("/")
    return f"{root}{model._meta.app_label}/{model._meta.model_name}/"


def model_routes(model, routes: dict[str, Route] | None = None) -> dict[str, Route]:
    """The routes of ``model``'s ModelAdmin, by short name (``change``, ``find``, ``<path:object_id>/``)."""
    routes = discover_routes() if routes is None else routes
    prefix, name_prefix = admin_prefix(model), f"admin:{model._meta.app_label}_{model._meta.model_name}_"
    found = {}
    for route in routes.values():
        if not route.pattern.startswith(prefix):
            continue
        if route.key.startswith(name_prefix):
            short = route.key[len(name_prefix) :]
        else:
            short = route.pattern[len(prefix) :]
        found[short] = route
    return found


def model_actions(model) -> list[str]:
    """Every admin action of ``model``'s ModelAdmin, whoever may use it."""
    model_admin = admin.site._registry[model]
    return [name for _func, name, _description in model_admin._get_base_actions()]


# --- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    method: str
    route: str
    cells: dict[str, str]
    line: int = field(compare=False, default=0)


def parse_table(text: str) -> list[Row]:
    rows, header_seen = [], False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("#") else ""
        if not line:
            continue
        tokens = line.split()
        if not header_seen:
            if tokens != HEADER:
                raise ValueError(f"line {number}: the table starts with the header {' '.join(HEADER)!r}")
            header_seen = True
            continue
        if len(tokens) != 2 + len(ROLES):
            raise ValueError(f"line {number}: {len(tokens) - 2} cells for {len(ROLES)} roles: {raw.strip()!r}")
        methods, route, cells = tokens[0], tokens[1], tokens[2:]
        for method in methods.split("+"):
            if method not in METHODS:
                raise ValueError(f"line {number}: unknown method {method!r}")
            rows.append(Row(method, route, dict(zip(ROLES, cells, strict=True)), number))
    if not header_seen:
        raise ValueError("the table has no header line")
    return rows


_CELL = re.compile(r"^(L|\d{3})(\+?)$")


def split_cell(cell: str, keys: list[str]) -> dict[str, str]:
    parts = cell.split("/")
    if len(parts) == 1:
        parts = parts * len(keys)
    if len(parts) != len(keys):
        raise ValueError(f"cell {cell!r} has {len(parts)} answers for the objects {keys}")
    return dict(zip(keys, parts, strict=True))


# --- the world --------------------------------------------------------------------------------

DEPARTMENT_CODES = {"YN": "YN", "KM": "YN-KM", "QJ": "YN-QJ", "A": "YN-KM-SCJ", "B": "YN-KM-JTJ", "C": "YN-QJ-SWJ"}


def build_world() -> SimpleNamespace:
    """Departments YN -> KM -> A, B and YN -> QJ -> C; one user per role; in each of A, B
    and C a person with a draft record, an access-log row, a role grant and an import job."""
    from django.core.files.base import ContentFile

    from registry import services
    from registry.choices import AccessAction
    from registry.importing.jobs import create_job
    from registry.models import CatalogItem, CreditRecord, Department
    from registry.roles import Role
    from tests.conftest import make_id_number

    User = get_user_model()
    operator = User.objects.create_superuser("operator", "operator@example.cn", None)
    with transaction.atomic():
        dept = {}
        for key, name, level, parent in [
            ("YN", "云南省", "province", None),
            ("KM", "昆明市", "prefecture", "YN"),
            ("QJ", "曲靖市", "prefecture", "YN"),
            ("A", "昆明市市场监督管理局", "department", "KM"),
            ("B", "昆明市交通运输局", "department", "KM"),
            ("C", "曲靖市税务局", "department", "QJ"),
        ]:
            dept[key] = services.save_department(
                Department(code=DEPARTMENT_CODES[key], name=name, level=level, parent=dept.get(parent)),
                acting_user=operator,
                reason="test",
            )
        item = services.save_catalog_item(
            CatalogItem(code="XZCF-001", name="行政处罚信息", category="penalty",
                        legal_basis="《中华人民共和国行政处罚法》", sharing_level="public"),
            acting_user=operator, reason="test",
        )  # fmt: skip

    def user(username, role=None, department=None, **extra):
        account = User.objects.create_user(username, f"{username}@example.cn", None, **extra)
        if role is not None:
            services.grant_role(account, role=role, department=dept[department], acting_user=operator)
        return account

    users = {
        "anonymous": None,
        "citizen": user("citizen"),
        "norole": user("norole", is_staff=True),
        "caseworker_a": user("caseworker_a", Role.CASEWORKER, "A"),
        "caseworker_b": user("caseworker_b", Role.CASEWORKER, "B"),
        "reviewer_a": user("reviewer_a", Role.REVIEWER, "A"),
        "publisher_a": user("publisher_a", Role.PUBLISHER, "A"),
        "supervisor": user("supervisor", Role.SUPERVISOR, "KM"),
        "administrator": user("administrator", Role.ADMINISTRATOR, "YN"),
        "operator": operator,
    }
    objects = {}
    for index, key in enumerate(("A", "B", "C")):
        with transaction.atomic():
            person = services.register_person(name=f"当事人{key}", id_number=make_id_number(seq=100 + index),
                                              registered_by=dept[key], acting_user=operator, reason="test")  # fmt: skip
            record = services.save_credit_record(
                CreditRecord(person=person, department=dept[key], catalog_item=item, decision_no=f"NO-{key}",
                             severity="general", decision_date=datetime.date(2026, 3, 2), summary="未按规定履行义务"),
                acting_user=operator, reason="test",
            )  # fmt: skip
            log = services.log_access(user=operator, action=AccessAction.VIEW, record=record, purpose="test")
            clerk = User.objects.create_user(f"clerk_{key}", None, None)
            grant = services.grant_role(clerk, role=Role.CASEWORKER, department=dept[key], acting_user=operator)
            job = create_job(ContentFile(b"name\n", name=f"{key}.csv"), department=dept[key], acting_user=operator)
        objects[key] = {
            "department": dept[key],
            "person": person,
            "creditrecord": record,
            "accesslog": log,
            "rolegrant": grant,
            "importjob": job,
        }
    return SimpleNamespace(users=users, departments=dept, catalog_item=item, objects=objects)


def _world_models() -> list:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table != "django_session"
    ]


_world_cache: dict = {}


def _outside_signature() -> tuple:
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    return (
        tuple(Group.objects.order_by("pk").values_list("pk", "name")),
        tuple(ContentType.objects.order_by("pk").values_list("pk", flat=True)),
        Permission.objects.count(),
        tuple(Permission.objects.order_by("pk").values_list("pk", flat=True)[:1]),
    )


def shared_world() -> SimpleNamespace:
    """``build_world()`` once per test process: the first class builds it through the
    services; later classes (each in its own transaction) get the same rows back by
    ``bulk_create``, in a fraction of the time."""
    from django.core.management.color import no_style

    models = _world_models()
    # What the copied rows point at outside themselves (role groups, permissions,
    # content types). A transactional test in between flushes the database and
    # migrate's signal builds these again under new ids: then build anew.
    if "rows" in _world_cache and _world_cache.get("outside") != _outside_signature():
        _world_cache.clear()
    if "rows" not in _world_cache:
        before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
        world = build_world()
        rows = {model: list(model._base_manager.exclude(pk__in=before[model])) for model in models}
        _world_cache.update(
            world=world, rows={model: objs for model, objs in rows.items() if objs}, outside=_outside_signature()
        )
        return world
    for model, objs in _world_cache["rows"].items():
        model._base_manager.bulk_create(copy.deepcopy(objs))
    statements = connection.ops.sequence_reset_sql(no_style(), list(_world_cache["rows"]))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return _world_cache["world"]


# --- what a request changed ---------------------------------------------------------------------


def _tables() -> list[str]:
    names = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table != "django_session" and not model._meta.proxy and model._meta.managed:
            names.append(model._meta.db_table)
    return sorted(set(names))


def fingerprint(obj=None) -> tuple:
    """Row counts of every table (sessions aside) and the object's own row."""
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in _tables())
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = tuple(cursor.fetchone())
    own = ()
    if obj is not None:
        own = tuple(type(obj)._base_manager.filter(pk=obj.pk).values_list())
    return counts, own


def form_data(response) -> dict:
    """The POST data of an admin change form as shown (main form and inlines)."""
    data = {}

    def add(form):
        for name, form_field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            widget = form_field.widget
            if isinstance(widget, CheckboxInput):
                if value:
                    data[key] = "on"
            elif value is None:
                continue
            elif isinstance(widget, MultiWidget):
                for i, part in enumerate(widget.decompress(value)):
                    data[f"{key}_{i}"] = "" if part is None else str(part)
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    context = response.context
    add(context["adminform"].form)
    for inline in context.get("inline_admin_formsets", []):
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def _observe_test(self):
    """With MATRIX_OBSERVE=1 (and -s), print what every route answers today."""
    import os

    if not os.environ.get("MATRIX_OBSERVE"):
        self.skipTest("set MATRIX_OBSERVE=1 to print what the routes answer today")
    print(f"\n# {type(self).__name__}\n{self.observe()}")


# --- the test case ------------------------------------------------------------------------------


_MEDIA = tempfile.mkdtemp(prefix="matrix-media-")
atexit.register(shutil.rmtree, _MEDIA, ignore_errors=True)


@override_settings(STORAGES={
    **settings.STORAGES,
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": _MEDIA}},
})  # fmt: skip
class AdminMatrix(TestCase):
    """Base class of the permission matrix's rows: see the module's docstring."""

    __test__ = False
    model = None  # the model whose ModelAdmin routes the table names by short name; None: full names
    table = ""
    # Short route name -> the world's object name its URL argument is taken from (default: the model's).
    route_objects: dict[str, str] = {}
    # Short route name -> POST data (a dict, or a callable taking the test case and the object).
    payloads: dict = {}
    # Field -> new value for the "change" POST (None removes the field: an unticked checkbox).
    change = {}
    # Full URLs of routes that cannot be reversed (unnamed patterns of a class without a model).
    urls: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.table.strip():
            return
        cls.__test__ = True
        for role in ROLES:
            setattr(cls, f"test_{role}", _role_test(role))
        cls.test_observe = _observe_test

    @classmethod
    def setUpTestData(cls):
        cls.world = shared_world()

    @classmethod
    def rows(cls) -> list[Row]:
        return parse_table(cls.table)

    @classmethod
    def route_key(cls, short: str) -> str:
        """The full key of a row's route (as ``discover_routes`` names it)."""
        if cls.model is None:
            return short
        if short.startswith("action:"):
            return f"{cls.model._meta.label}:{short}"
        return next(
            (r.key for s, r in model_routes(cls.model).items() if s == short), f"{cls.model._meta.label}:{short}"
        )

    # --- objects and URLs ---------------------------------------------------------------------
    def objects(self, route: str) -> dict[str, object]:
        """The objects a route with an argument is asked about, by key."""
        if self.model is None:
            return {}
        name = self.route_objects.get(route, self.model._meta.model_name)
        return {key: objs[name] for key, objs in self.world.objects.items() if name in objs}

    def _route(self, short) -> Route:
        if self.model is None:
            return discover_routes()[short]
        return model_routes(self.model)[short]

    def url(self, short: str, obj=None) -> str:
        if short in self.urls:
            url = self.urls[short]
            return url(self) if callable(url) else url
        route = self._route(short)
        args = []
        if route.nargs >= 1:
            args.append(obj.pk)
        if route.nargs >= 2:
            history = getattr(obj, "history", None)
            args.append(history.earliest("history_date").history_id if history is not None else 0)
        if route.key.startswith("/"):  # no name: fill the pattern's text
            text = route.pattern
            for arg in args:
                text = re.sub(r"<[^>]+>", str(arg), text, count=1)
            return "/" + text
        return reverse(route.key, args=args)

    def post_data(self, short: str, obj=None) -> dict:
        if short.startswith("action:"):
            # "post": the confirmation of delete_selected, given at once.
            name = short.split(":", 1)[1]
            return {"action": name, "_selected_action": [str(obj.pk)], "index": "0", "reason": REASON, "post": "yes"}
        if short in self.payloads:
            payload = self.payloads[short]
            return payload(self, obj) if callable(payload) else dict(payload)
        if short == "delete":
            return {"post": "yes"}
        if short == "change":
            return self.change_data(obj)
        return {}

    def change_data(self, obj) -> dict:
        """The change form as the operator sees it, with ``change`` applied and a reason."""
        cache = type(self).__dict__.get("_change_forms")
        if cache is None:
            cache = type(self)._change_forms = {}
        if (type(obj), obj.pk) not in cache:
            client = self.client_class()
            client.force_login(self.world.users["operator"])
            url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
            cache[type(obj), obj.pk] = form_data(client.get(url))
        data = dict(cache[type(obj), obj.pk])
        for name, value in self.change.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        data.update({"change_reason": REASON, "_save": "1"})
        return data

    # --- asking ---------------------------------------------------------------------------------
    def client_for(self, role):
        client = self.client_class()
        user = self.world.users[role]
        if user is not None:
            client.force_login(user)
        return client

    def ask(self, client, method: str, url: str, obj=None, build=None):
        """One request in a savepoint that is rolled back: (status, location, wrote, response, body)."""
        cookies = copy.deepcopy(client.cookies)
        try:
            with transaction.atomic():
                data = build() if build is not None else {}
                pending = len(connection.run_on_commit)
                before = fingerprint(obj) if method == "POST" else None
                response = client.post(url, data) if method == "POST" else client.get(url)
                if getattr(response, "streaming", False):
                    body = b"".join(response.streaming_content)
                else:
                    body = response.content
                wrote = None
                if method == "POST":
                    wrote = fingerprint(obj) != before or len(connection.run_on_commit) > pending
                # No response.close() here: the test client closes the response itself
                # with close_old_connections disconnected; closing it again would
                # send request_finished, which closes the database connection
                # inside this transaction on PostgreSQL.
                result = (response.status_code, response.get("Location", ""), wrote, response, body)
                transaction.set_rollback(True)
        except Exception as exc:  # the answer is a crash: reported as such
            result = (f"raised {type(exc).__name__}: {exc}"[:200], "", None, None, b"")
        client.cookies = cookies
        return result

    def answer(self, method, status, location, wrote) -> str:
        if isinstance(status, str):
            return status
        text = "L" if status == 302 and "/login/" in location else str(status)
        return text + ("+" if wrote else "")

    def check_role(self, role: str) -> list[str]:
        client = self.client_for(role)
        wrong = []
        for row in self.rows():
            if row.method in ("GET", "POST"):
                wrong += self._check_request(client, role, row)
            elif row.method == "LIST":
                wrong += self._check_list(client, role, row)
            else:
                wrong += self._check_choices(client, role, row)
        return wrong

    def _targets(self, row) -> dict:
        short = row.route
        if short.startswith("action:"):
            return self.objects(short)
        route = self._route(short) if short not in self.urls else None
        if route is not None and route.nargs:
            return self.objects(short)
        return {"": None}

    def _check_request(self, client, role, row) -> list[str]:
        wrong = []
        targets = self._targets(row)
        expected = split_cell(row.cells[role], list(targets))
        for key, obj in targets.items():
            cell = expected[key]
            if not _CELL.match(cell):
                raise ValueError(f"line {row.line}: {cell!r} is not an answer (200, 302+, L, ...)")
            if row.route.startswith("action:"):
                url = reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist")
            else:
                url = self.url(row.route, obj)
            build = (lambda r=row.route, o=obj: self.post_data(r, o)) if row.method == "POST" else None
            status, location, wrote, _response, body = self.ask(client, row.method, url, obj=obj, build=build)
            got = self.answer(row.method, status, location, wrote)
            if got != cell:
                wrong.append(f"{row.method} {row.route}{' [' + key + ']' if key else ''}: expected {cell}, got {got}")
            mine = isinstance(obj, self.model) if self.model is not None else False
            secret = self.secret(obj) if mine and key not in self.visible(role) else ""
            if secret and secret.encode() in body:
                wrong.append(f"{row.method} {row.route} [{key}]: the answer ({status}) shows {secret!r}")
        return wrong

    def visible(self, role) -> set[str]:
        """The keys of the objects ``role`` may see: its ``LIST changelist`` cell."""
        for row in self.rows():
            if row.method == "LIST" and row.route == "changelist":
                return set(row.cells[role].split(","))
        return set(self.objects("changelist"))

    def secret(self, obj) -> str:
        """What no answer may show of an object the role does not see (override; empty: not checked)."""
        return ""

    def _check_list(self, client, role, row) -> list[str]:
        url = self.url(row.route)
        status, _location, _wrote, response, _body = self.ask(client, "GET", url)
        shown = "-"
        if status == 200 and response is not None and "cl" in (response.context or {}):
            pks = {obj.pk for obj in response.context["cl"].result_list}
            shown = ",".join(k for k, o in self.objects(row.route).items() if o.pk in pks) or "-"
        expected = row.cells[role]
        return [] if shown == expected else [f"LIST {row.route}: expected {expected}, got {shown}"]

    def _check_choices(self, client, role, row) -> list[str]:
        short, _, field_name = row.route.partition(":")
        status, _location, _wrote, response, _body = self.ask(client, "GET", self.url(short))
        shown = "-"
        if status == 200 and response is not None and "adminform" in (response.context or {}):
            form_field = response.context["adminform"].form.fields.get(field_name)
            if form_field is not None:
                pks = {d.pk for d in form_field.queryset}
                shown = ",".join(k for k, d in self.world.departments.items() if d.pk in pks) or "-"
        expected = row.cells[role]
        return [] if shown == expected else [f"CHOICES {row.route}: expected {expected}, got {shown}"]

    # --- for people writing rows ------------------------------------------------------------------
    def observe(self) -> str:
        """What every route answers today for every role, as table lines (to review, not to trust)."""
        lines = ["          " + " ".join(HEADER)]
        clients = {role: self.client_for(role) for role in ROLES}
        if self.model is None:
            shorts = [s for s in (r.route for r in self.rows())]
        else:
            shorts = list(model_routes(self.model)) + [f"action:{a}" for a in model_actions(self.model)]
        for short in dict.fromkeys(shorts):
            for method in ("GET", "POST") if not short.startswith("action:") else ("POST",):
                row = Row(method, short, {})
                cells = []
                for role in ROLES:
                    answers = []
                    for obj in self._targets(row).values():
                        if short.startswith("action:"):
                            url = reverse(
                                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"
                            )
                        else:
                            url = self.url(short, obj)
                        build = (lambda s=short, o=obj: self.post_data(s, o)) if method == "POST" else None
                        status, location, wrote, *_ = self.ask(clients[role], method, url, obj=obj, build=build)
                        answers.append(self.answer(method, status, location, wrote))
                    cells.append(answers[0] if len(set(answers)) == 1 else "/".join(answers))
                lines.append(f"{method:4} {short:24} " + " ".join(cells))
        return "\n".join(lines)


def _role_test(role):
    def test(self):
        wrong = self.check_role(role)
        assert not wrong, f"{type(self).__name__}, {role}:\n  " + "\n  ".join(wrong)

    test.__name__ = f"test_{role}"
    test.__doc__ = f"Every row of the table answers as declared for {role}."
    return test


# --- discovery of the declared rows ---------------------------------------------------------------


def missing_rows(cls, routes: dict[str, Route] | None = None) -> list[str]:
    """The routes and actions of ``cls.model``'s ModelAdmin that ``cls`` gives no GET or POST row."""
    routes = discover_routes() if routes is None else routes
    declared = {(row.method, row.route) for row in cls.rows()}
    wanted = [(method, short) for short in model_routes(cls.model, routes) for method in ("GET", "POST")]
    wanted += [("POST", f"action:{name}") for name in model_actions(cls.model)]
    return [f"{method} {short}" for method, short in wanted if (method, short) not in declared]


def matrix_classes() -> list[type[AdminMatrix]]:
    """Every AdminMatrix class declared in a ``tests/<app>/test_matrix*.py`` module."""
    import importlib
    import pkgutil

    import tests

    for package in pkgutil.iter_modules(tests.__path__):
        if not package.ispkg:
            continue
        sub = importlib.import_module(f"tests.{package.name}")
        for module in pkgutil.iter_modules(sub.__path__):
            if module.name.startswith("test_matrix"):
                importlib.import_module(f"tests.{package.name}.{module.name}")
    found, todo = [], list(AdminMatrix.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.table.strip():
            found.append(cls)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))
