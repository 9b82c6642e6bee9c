"""The records admin stays fast on big tables: no per-row queries, no full COUNT(*)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def changelist_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:registry_creditrecord_changelist"))
    assert response.status_code == 200
    return ctx.captured_queries


def test_changelist_query_count_does_not_grow_with_rows(client, users, tree, make_person, make_record):
    make_record(make_person(tree["A"]), tree["A"])
    changelist_queries(client, users["caseworker_a"])  # warm caches (content types, session)
    few = [q["sql"] for q in changelist_queries(client, users["caseworker_a"])]
    for _ in range(15):
        make_record(make_person(tree["A"]), tree["A"])
    many = [q["sql"] for q in changelist_queries(client, users["caseworker_a"])]
    assert len(many) == len(few), "\n".join(sorted(set(many) - set(few)))


def test_person_is_chosen_with_autocomplete_scoped_to_the_user(client, users, tree, make_person):
    mine = make_person(tree["A"], name="欧阳一")
    theirs = make_person(tree["B"], name="欧阳二")
    client.force_login(users["caseworker_a"])
    response = client.get(reverse("admin:registry_creditrecord_add"))
    assert "admin-autocomplete" in response.content.decode()
    # The widget lists no options (they come from the autocomplete view below); what the
    # form accepts is its field's queryset: the persons of the user's departments.
    offered = response.context["adminform"].form.fields["person"].queryset
    assert set(offered.filter(name__startswith="欧阳").values_list("pk", flat=True)) == {mine.pk}
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "欧阳", "app_label": "registry", "model_name": "creditrecord", "field_name": "person"},
    )
    ids = {int(item["id"]) for item in response.json()["results"]}
    assert ids == {mine.pk}
    assert theirs.pk not in ids


@pytest.mark.postgres
def test_no_full_table_count_on_postgresql(client, users, tree, make_person, make_record, settings):
    settings.ADMIN_ESTIMATED_COUNT_THRESHOLD = 0
    for _ in range(3):
        make_record(make_person(tree["A"]), tree["A"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_creditrecord")
    queries = changelist_queries(client, users["operator"])
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "registry_creditrecord" in q["sql"]]
    assert counts == []
    assert any(q["sql"].upper().startswith("EXPLAIN") for q in queries)
