import base64
import os

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from registry import crypto, services
from registry.models import Person
from tests.conftest import make_id_number


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_round_trip_and_context_binding():
    token = crypto.encrypt("530102199001011231", context="person.id_number")
    assert "530102199001011231" not in token
    assert crypto.decrypt(token, context="person.id_number") == "530102199001011231"
    # Two encryptions of the same value differ (random nonce).
    assert token != crypto.encrypt("530102199001011231", context="person.id_number")
    # A ciphertext moved to another field does not open.
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="other.field")


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("360426199101010071", context="person.id_number")
    version, key_id, blob = token.split(".")
    flipped = blob[:-2] + ("A" if blob[-2] != "A" else "B") + blob[-1]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{version}.{key_id}.{flipped}", context="person.id_number")


def test_blind_index_is_keyed(settings):
    first = crypto.blind_index("360426199101010071", context="person.id_number")
    assert len(first) == 64 and "360426199101010071" not in first
    settings.BLIND_INDEX_KEY = new_key()
    crypto._blind_key.cache_clear()
    try:
        assert crypto.blind_index("360426199101010071", context="person.id_number") != first
    finally:
        crypto._blind_key.cache_clear()


def test_blind_index_lookup_and_uniqueness(tree, make_person):
    number = make_id_number()
    person = make_person(tree["A"], name="王五", id_number=number)
    assert services.find_person_by_id_number(number.lower()) == person
    assert services.find_person_by_id_number(make_id_number()) is None
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        make_person(tree["B"], name="王五", id_number=number)
    assert "id_number" in info.value.message_dict


def _all_text_in_database() -> str:
    """Every text column of every table, concatenated (a crude but complete scan)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            description = connection.introspection.get_table_description(cursor, table)
            columns = [connection.ops.quote_name(col.name) for col in description]
            cursor.execute(f"SELECT {', '.join(columns)} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


def test_no_plain_id_number_is_stored_anywhere(tree, make_person, make_record, users, client):
    number = make_id_number(region="530402", birth="19850612")
    person = make_person(tree["A"], name="赵六", id_number=number)
    make_record(person, tree["A"])
    with transaction.atomic():
        services.update_person(person, acting_user=users["operator"], reason="phone changed", phone="13800000000")
    # A reveal and an ID search in the admin write access-log rows: masked there too.
    services.reveal_id_number(person, acting_user=users["caseworker_a"], purpose="case", detail="核对身份")
    client.force_login(users["caseworker_a"])
    client.post("/admin/registry/person/find/", {"id_number": number})
    dump = _all_text_in_database()
    assert number not in dump
    assert number[6:14] not in dump.replace(str(person.birth_date).replace("-", ""), "")
    assert person.id_number == number  # still readable with the key


def test_key_rotation_reencrypts_current_and_history_rows(settings, tree, make_person):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    number = make_id_number()
    person = make_person(tree["A"], id_number=number)
    old_id = crypto.primary_key_id()
    new = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [new, old_key]
    new_id = crypto.primary_key_id()
    assert new_id != old_id
    # Before rotation: readable with the old key still configured.
    person.refresh_from_db()
    assert crypto.key_id_of(person.id_number_encrypted) == old_id
    assert person.id_number == number

    call_command("rotate_keys")

    person.refresh_from_db()
    assert crypto.key_id_of(person.id_number_encrypted) == new_id
    assert all(crypto.key_id_of(h.id_number_encrypted) == new_id for h in person.history.all())
    # The old key can now be removed: everything still opens.
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert person.id_number == number
    assert all(
        crypto.decrypt(h.id_number_encrypted, context="person.id_number") == number for h in person.history.all()
    )
    # Rotation adds no history (the value did not change) and a rerun has nothing to do.
    count = person.history.count()
    call_command("rotate_keys")
    assert person.history.count() == count


def test_without_the_key_nothing_opens(settings, tree, make_person):
    person = make_person(tree["A"])
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    with pytest.raises(crypto.DecryptionError):
        _ = Person.objects.get(pk=person.pk).id_number
