"""The import's fast paths agree with the ordinary functions beside them, on random input.

``registry.crypto`` (``Encryptor``, ``BlindIndexer``) and ``registry.identifiers``
(``id_check_character``, ``mask_resident_id``) each keep a fast path for the
import next to the ordinary function; if one of them drifted, imported persons
would get ID numbers that do not decrypt, lookups that miss, wrong check
characters or a different mask than the rest of the portal shows.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from stdnum.cn import ric

from registry import crypto
from registry.identifiers import (
    id_check_character,
    mask_id,
    mask_resident_id,
    normalise,
    validate_resident_id,
)

# The machine is shared: no per-example deadline; a few hundred examples each.
examples = hypothesis_settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])

DIGITS = "0123456789"
CONTEXTS = st.sampled_from(["person.id_number", "other.field"]) | st.text(max_size=20)
REGIONS = ["530102", "110101", "445222", "360426", "530100", "999999", "000000"]

bodies = st.text(alphabet=DIGITS, min_size=17, max_size=17)


@st.composite
def resident_ids(draw) -> str:
    """ID numbers as a file may hold them: many valid, and all the ways to be wrong."""
    region = draw(st.sampled_from(REGIONS))
    birth = draw(st.dates(min_value=datetime.date(1840, 1, 1), max_value=datetime.date(2030, 12, 31)))
    seq = draw(st.integers(0, 999))
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    check = ric.calc_check_digit(body + "0")
    if draw(st.booleans()):
        check = draw(st.sampled_from("0123456789X"))  # often a wrong one
    number = body + check
    if draw(st.integers(0, 9)) == 0:
        number = number.lower()
    return number


not_bodies = st.one_of(
    st.text(max_size=30).filter(lambda text: not (len(text) == 17 and text.isascii() and text.isdigit())),
    st.text(alphabet=DIGITS, min_size=16, max_size=16),
    st.text(alphabet=DIGITS, min_size=18, max_size=18),
    st.text(alphabet=DIGITS + "X", min_size=17, max_size=17).filter(lambda text: "X" in text),
    st.text(alphabet="０１２３４５６７８９", min_size=17, max_size=17),  # full-width digits
)


# --- The check character ---------------------------------------------------------------------


@examples
@given(bodies)
@example("00000000000000000")
@example("99999999999999999")
def test_the_fast_check_character_is_stdnums(body):
    assert id_check_character(body) == ric.calc_check_digit(body + "0")


@examples
@given(resident_ids())
def test_the_fast_check_character_of_any_id_number_is_stdnums(number):
    body = normalise(number)[:17]
    assert id_check_character(body) == ric.calc_check_digit(body + "0")
    # ...so a number is valid by the fast check exactly when the ordinary check accepts its check character.
    assert (id_check_character(body) == normalise(number)[17]) == (
        ric.calc_check_digit(normalise(number)) == normalise(number)[17]
    )


@examples
@given(not_bodies)
def test_the_fast_check_character_refuses_what_is_not_17_digits(text):
    with pytest.raises(ValueError):
        id_check_character(text)


# --- Encryption ------------------------------------------------------------------------------


@examples
@given(st.text(max_size=40) | resident_ids(), CONTEXTS)
def test_what_the_fast_encryptor_writes_crypto_decrypts(plaintext, context):
    token = crypto.Encryptor(context=context).encrypt(plaintext)
    assert crypto.decrypt(token, context=context) == plaintext
    assert crypto.key_id_of(token) == crypto.primary_key_id()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context=context + "-moved")


@examples
@given(
    st.text(max_size=40) | resident_ids(), CONTEXTS, st.binary(min_size=crypto.NONCE_BYTES, max_size=crypto.NONCE_BYTES)
)
def test_with_the_same_nonce_both_encryptions_write_the_same_token(plaintext, context, nonce):
    """Byte for byte: whatever opens one token opens the other, and the other way round."""

    def urandom(size: int) -> bytes:  # the same nonce for each of them
        return (nonce * (size // len(nonce) + 1))[:size]

    with mock.patch("os.urandom", urandom):
        fast = crypto.Encryptor(context=context).encrypt(plaintext)
        ordinary = crypto.encrypt(plaintext, context=context)
    assert fast == ordinary
    assert crypto.decrypt(ordinary, context=context) == crypto.decrypt(fast, context=context) == plaintext


def test_the_fast_encryptor_draws_a_fresh_nonce_for_every_value():
    encryptor = crypto.Encryptor(context="person.id_number")
    tokens = [encryptor.encrypt(f"53010219900101{i:04d}") for i in range(crypto.NONCE_BATCH + 10)]  # across a refill
    assert all(crypto.decrypt(t, context="person.id_number") == f"53010219900101{i:04d}" for i, t in enumerate(tokens))
    assert len({crypto._b64decode(t.split(".")[-1])[: crypto.NONCE_BYTES] for t in tokens}) == len(tokens)


# --- The blind index -------------------------------------------------------------------------


@examples
@given(st.text(max_size=40) | resident_ids().map(normalise), CONTEXTS, st.binary(min_size=32, max_size=200))
def test_the_fast_blind_index_is_crypto_blind_index(value, context, key):
    """Under random keys, also longer than SHA-256's block (hashed first, as RFC 2104 says)."""
    with override_settings(BLIND_INDEX_KEY=base64.urlsafe_b64encode(key).decode()):
        assert crypto.blind_indexer(context=context)(value) == crypto.blind_index(value, context=context)
    assert (
        crypto.BlindIndexer(key, context)(value)
        == hmac.new(key, f"{context}:{value}".encode(), hashlib.sha256).hexdigest()
    )


@examples
@given(resident_ids().map(normalise))
def test_the_fast_blind_index_under_the_configured_key(number):
    indexer = crypto.blind_indexer(context="person.id_number")
    assert indexer(number) == crypto.blind_index(number, context="person.id_number")


# --- Masking ---------------------------------------------------------------------------------


@examples
@given(resident_ids())
def test_the_fast_mask_of_a_valid_number_is_mask_id(raw):
    try:
        number = validate_resident_id(raw).number
    except ValidationError:
        number = normalise(raw)  # the fast mask is used on normalised 18-character numbers only
    assert mask_resident_id(number) == mask_id(number) == mask_id(raw)


@examples
@given(st.text(alphabet=st.characters(codec="ascii", categories=("Nd", "Lu")), min_size=18, max_size=18))
def test_the_fast_mask_of_any_normalised_18_characters_is_mask_id(text):
    assert normalise(text) == text
    assert mask_resident_id(text) == mask_id(text)
