"""Field encryption (AES-256-GCM) and the keyed blind index for ID numbers.

Keys come from settings (``FIELD_ENCRYPTION_KEYS``: comma-separated URL-safe
base64 32-byte keys; the first encrypts, all decrypt; ``BLIND_INDEX_KEY``).
A ciphertext is stored as text ``v1.<key id>.<base64(nonce | ciphertext+tag)>``
where the key id is derived from the key itself, so keys can be reordered or
retired without ambiguity. ``manage.py rotate_keys`` re-encrypts everything
under the first key.

The blind index is HMAC-SHA256 under a separate key. A plain hash of an ID
number would be reversible by enumeration (an ID has little entropy); the
keyed HMAC is not, without the key.

Beside each ordinary function stands its fast path for many values (the import
encrypts and indexes every row of a file): :class:`Encryptor` and
:class:`BlindIndexer`. They give the same results (tests/registry/test_fast_paths.py
holds them against ``encrypt``/``decrypt`` and ``blind_index`` on random input).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
NONCE_BYTES = 12
NONCE_BATCH = 4096  # nonces the fast Encryptor draws from os.urandom at once


class DecryptionError(Exception):
    """No configured key opens this ciphertext (wrong key, tampering, or a retired key)."""


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4))


def _b64encode(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class _Key:
    key_id: str
    aead: AESGCM


@lru_cache(maxsize=4)
def _keyring(keys: tuple[str, ...]) -> tuple[_Key, ...]:
    ring = []
    for encoded in keys:
        raw = _b64decode(encoded)
        if len(raw) != 32:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS: each key must be 32 bytes")
        key_id = hashlib.sha256(b"creditportal-key-id:" + raw).hexdigest()[:8]
        ring.append(_Key(key_id=key_id, aead=AESGCM(raw)))
    if not ring:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return tuple(ring)


def keyring() -> tuple[_Key, ...]:
    return _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def primary_key_id() -> str:
    return keyring()[0].key_id


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext``; ``context`` (e.g. ``"person.id_number"``) is bound
    as associated data, so a ciphertext cannot be moved to another field."""
    key = keyring()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{VERSION}.{key.key_id}.{_b64encode(nonce + sealed)}"


def key_id_of(token: str) -> str:
    parts = token.split(".", 2)
    if len(parts) != 3 or parts[0] != VERSION:
        raise DecryptionError("not a creditportal ciphertext")
    return parts[1]


def decrypt(token: str, *, context: str) -> str:
    key_id = key_id_of(token)
    blob = _b64decode(token.split(".", 2)[2])
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    for key in keyring():
        if key.key_id == key_id:
            try:
                return key.aead.decrypt(nonce, sealed, context.encode("utf-8")).decode("utf-8")
            except Exception as exc:  # InvalidTag: tampered or wrong context
                raise DecryptionError("ciphertext does not authenticate") from exc
    raise DecryptionError(f"no configured key has id {key_id}")


@lru_cache(maxsize=4)
def _blind_key(encoded: str) -> bytes:
    return _b64decode(encoded)


def blind_index(normalised_value: str, *, context: str) -> str:
    """Keyed HMAC-SHA256 of a normalised value, hex (64 characters)."""
    key = _blind_key(settings.BLIND_INDEX_KEY)
    return hmac.new(key, f"{context}:{normalised_value}".encode(), hashlib.sha256).hexdigest()


# --- Fast paths for many values ----------------------------------------------------------------


class Encryptor:
    """``encrypt`` for many values under one context: the same token format, the
    key looked up once, random nonces drawn from the OS in batches (one system
    call per few thousand values instead of one each)."""

    def __init__(self, *, context: str):
        self.key = keyring()[0]
        self.prefix = f"{VERSION}.{self.key.key_id}."
        self.context = context.encode("utf-8")
        self._seal = self.key.aead.encrypt
        self._nonces = b""
        self._next = 0

    def encrypt(self, plaintext: str) -> str:
        size = NONCE_BYTES
        start = self._next
        if start + size > len(self._nonces):
            self._nonces, start = os.urandom(size * NONCE_BATCH), 0
        self._next = start + size
        nonce = self._nonces[start : start + size]
        sealed = self._seal(nonce, plaintext.encode("utf-8"), self.context)
        return self.prefix + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")


class BlindIndexer:
    """``blind_index`` for many values: HMAC-SHA256 with the key's inner and outer
    states (RFC 2104) and the context prefix hashed once. ``key`` is the raw key;
    :func:`blind_indexer` makes one with the configured key."""

    def __init__(self, key: bytes, context: str):
        block = hashlib.sha256().block_size
        if len(key) > block:
            key = hashlib.sha256(key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key) + f"{context}:".encode())
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))

    def __call__(self, normalised_value: str) -> str:
        inner = self._inner.copy()
        inner.update(normalised_value.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def blind_indexer(*, context: str) -> BlindIndexer:
    """A :class:`BlindIndexer` under ``BLIND_INDEX_KEY``: ``blind_indexer(context=c)(v) == blind_index(v, context=c)``."""
    return BlindIndexer(_blind_key(settings.BLIND_INDEX_KEY), context)
