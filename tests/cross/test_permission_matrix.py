"""The permission matrix, across apps: every route and action has its rows.

The rows live next to each app's tests (``tests/<app>/test_matrix.py``, see
``tests/matrix.py``); here are the routes that belong to no model (the admin's own
pages, the public URLs of the root URLconf) and the test that fails when a route, an
admin action or a role has no declared answer.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import clear_url_caches, path, reverse

from tests.matrix import AdminMatrix, discover_routes, matrix_classes, missing_rows, model_actions, model_routes


class SiteMatrix(AdminMatrix):
    """The admin site's own pages and the public URLs."""

    urls = {
        "admin:app_list": "/admin/registry/",
        "/admin/(?P<url>.*)$": "/admin/no-such-page/",
        "admin:view_on_site": lambda self: reverse(
            "admin:view_on_site",
            args=[
                ContentType.objects.get_for_model(self.world.objects["A"]["person"]).pk,
                self.world.objects["A"]["person"].pk,
            ],
        ),  # fmt: skip
        "admin:autocomplete": "/admin/autocomplete/?app_label=registry&model_name=creditrecord"
        "&field_name=person&term=%E5%BD%93%E4%BA%8B%E4%BA%BA",
    }
    payloads = {"set_language": {"language": "en", "next": "/admin/"}}
    table = """
                                        anon citizen norole cw_a cw_b rev_a pub_a sup admin oper
    GET+POST set_language               302  302     302    302  302  302   302   302 302   302
    GET+POST admin:index                L    L       200    200  200  200   200   200 200   200
    GET      admin:login                200  200     302    302  302  302   302   302 302   302
    POST     admin:login                200  200     200    200  200  200   200   200 200   200
    GET      admin:logout               302  302     405    405  405  405   405   405 405   405
    POST     admin:logout               302  302     200    200  200  200   200   200 200   200
    GET+POST admin:password_change      L    L       200    200  200  200   200   200 200   200
    GET      admin:password_change_done L    L       200    200  200  200   200   200 200   200
    POST     admin:password_change_done L    L       405    405  405  405   405   405 405   405
    GET      admin:autocomplete         L    L       403    200  200  200   200   200 200   200
    POST     admin:autocomplete         L    L       405    405  405  405   405   405 405   405
    GET      admin:jsi18n               L    L       200    200  200  200   200   200 200   200
    POST     admin:jsi18n               L    L       405    405  405  405   405   405 405   405
    GET+POST admin:view_on_site         L    L       404    404  404  404   404   404 404   404
    GET+POST admin:app_list             L    L       404    200  200  200   200   200 200   200
    GET+POST /admin/(?P<url>.*)$        L    L       404    404  404  404   404   404 404   404
    """


def test_every_route_action_and_role_has_an_answer():
    """Every URL pattern (admin model pages, custom admin views, public URLs) has a GET and
    a POST row, every admin action a POST row, and every row an answer for every role
    (``parse_table`` refuses a row with a missing cell). A row for a route that no longer
    exists fails too."""
    routes = discover_routes()
    problems, claimed = [], {}
    classes = matrix_classes()
    for cls in classes:
        rows = cls.rows()
        if cls.model is None:
            own = {row.route: routes.get(row.route) for row in rows}
            actions = []
        else:
            if cls.model not in admin.site._registry:
                problems.append(f"{cls.__name__}: {cls.model._meta.label} has no admin page")
                continue
            own = model_routes(cls.model, routes)
            actions = [f"action:{name}" for name in model_actions(cls.model)]
            problems += [f"{cls.__name__}: no row for {missing}" for missing in missing_rows(cls, routes)]
        for row in rows:
            short = row.route.partition(":")[0] if row.method == "CHOICES" else row.route
            if own.get(short) is None and short not in actions:
                problems.append(f"{cls.__name__} line {row.line}: no route {row.route!r} (a row left behind?)")
        for short, route in own.items():
            if route is None:
                continue
            if route.key in claimed and claimed[route.key] is not cls:
                problems.append(f"{route.key}: rows in both {claimed[route.key].__name__} and {cls.__name__}")
            claimed[route.key] = cls
            if cls.model is None:
                methods = {row.method for row in rows if row.route == short}
                problems += [f"{cls.__name__}: no {m} row for {short}" for m in ("GET", "POST") if m not in methods]
    for key in sorted(set(routes) - set(claimed)):
        problems.append(f"route {key} ({routes[key].pattern}) has no rows in any tests/<app>/test_matrix.py")
    models = [cls.model for cls in classes if cls.model is not None]
    for model in admin.site._registry:
        if model not in models:
            problems.append(f"{model._meta.label} has an admin page but no AdminMatrix class")
    assert problems == [], "\n".join(problems)


def test_the_matrix_finds_a_route_without_rows():
    """The check above is not hollow: a new admin view, or a new action, without rows fails it."""
    import importlib

    import creditportal.urls
    from registry.models import CreditRecord
    from tests.registry.test_matrix_records import CreditRecordMatrix

    def matrix_probe_action(modeladmin, request, queryset):
        pass

    model_admin = admin.site._registry[CreditRecord]
    original = model_admin.get_urls
    model_admin.get_urls = lambda: [
        path("matrix-probe/", lambda request: None, name="registry_creditrecord_matrix_probe"),
        *original(),
    ]
    model_admin.actions = [*type(model_admin).actions, matrix_probe_action]
    try:
        importlib.reload(creditportal.urls)
        clear_url_caches()
        missing = [row for row in missing_rows(CreditRecordMatrix) if "matrix_probe" in row]
    finally:
        del model_admin.get_urls, model_admin.actions
        importlib.reload(creditportal.urls)
        clear_url_caches()
    assert missing == ["GET matrix_probe", "POST matrix_probe", "POST action:matrix_probe_action"]
    assert missing_rows(CreditRecordMatrix) == []


def test_global_model_permissions_do_not_widen_the_scope(client, users, tree, make_person, make_record):
    """A user holding every registry model permission but no department grant sees nothing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    records = {key: make_record(make_person(tree[key]), tree[key]) for key in ("A", "B", "C")}
    user = get_user_model().objects.create_user("norole", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry"))
    client.force_login(user)
    response = client.get(reverse("admin:registry_creditrecord_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    for record in records.values():
        assert client.get(reverse("admin:registry_creditrecord_change", args=[record.pk])).status_code == 404
    # Nor can they add: they hold no department to add into.
    assert client.get(reverse("admin:registry_creditrecord_add")).status_code == 403
