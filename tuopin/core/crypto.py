"""Field encryption and keyed hashes for sensitive values (ID numbers, bank accounts, phones).

Values are encrypted with AES-256-GCM under a key named in settings (``id:key`` pairs, newest
first), so keys live outside the database and can be rotated: the stored token carries the key
id, old keys keep decrypting until ``tuopin keys rotate`` re-encrypts everything under the
newest key. Exact lookup ("find this ID number") uses an HMAC-SHA256 keyed hash, never the
plaintext and never a plain (guessable) hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

__all__ = ["encrypt", "decrypt", "lookup_hash", "lookup_key", "current_key_id", "configured_key_ids"]


@lru_cache(maxsize=8)
def _keys(spec: str) -> tuple[tuple[str, AESGCM], ...]:
    pairs = []
    for item in spec.split(","):
        key_id, _, secret = item.strip().partition(":")
        if not key_id or not secret:
            raise ValueError("TUOPIN_FIELD_KEYS must be 'id:secret' pairs separated by commas")
        # Derive a 256-bit key from whatever the operator configured (a passphrase or random token).
        raw = hashlib.sha256(f"tuopin-field-key:{secret}".encode()).digest()
        pairs.append((key_id, AESGCM(raw)))
    return tuple(pairs)


def current_key_id() -> str:
    """The id of the key new values are encrypted with."""
    return _keys(settings.FIELD_ENCRYPTION_KEYS)[0][0]


def configured_key_ids() -> list[str]:
    """Ids of every configured key, newest first (the ones that can still decrypt)."""
    return [kid for kid, _aead in _keys(settings.FIELD_ENCRYPTION_KEYS)]


def encrypt(plaintext: str) -> str:
    """Encrypt a short text value; returns ``keyid$base64(nonce|ciphertext)``."""
    key_id, aead = _keys(settings.FIELD_ENCRYPTION_KEYS)[0]
    nonce = os.urandom(12)
    token = aead.encrypt(nonce, plaintext.encode("utf-8"), key_id.encode())
    return f"{key_id}${base64.b64encode(nonce + token).decode('ascii')}"


def encrypt_many(values: list[str]) -> list[str]:
    """:func:`encrypt` for a whole column: the same tokens (fresh random nonce each), one ``urandom`` call.

    Used by bulk imports, where a million calls of :func:`encrypt` cost seconds in call overhead alone.
    """
    key_id, aead = _keys(settings.FIELD_ENCRYPTION_KEYS)[0]
    aad, prefix, seal, b64 = key_id.encode(), f"{key_id}$", aead.encrypt, binascii.b2a_base64
    nonces = os.urandom(12 * len(values))
    out = []
    for k, value in enumerate(values):
        nonce = nonces[12 * k : 12 * k + 12]
        out.append(prefix + b64(nonce + seal(nonce, value.encode("utf-8"), aad), newline=False).decode("ascii"))
    return out


def lookup_hashes(values: list[str], *, purpose: str = "id") -> list[str]:
    """:func:`lookup_hash` for a whole column (the keyed state is set up once, then copied per value)."""
    base = hmac.new(lookup_key(purpose), digestmod=hashlib.sha256)
    out = []
    for value in values:
        h = base.copy()
        h.update(value.encode("utf-8"))
        out.append(h.hexdigest())
    return out


def decrypt(token: str) -> str:
    """Decrypt a value produced by :func:`encrypt` with whichever configured key it names."""
    key_id, _, body = token.partition("$")
    for kid, aead in _keys(settings.FIELD_ENCRYPTION_KEYS):
        if kid == key_id:
            raw = base64.b64decode(body)
            return aead.decrypt(raw[:12], raw[12:], key_id.encode()).decode("utf-8")
    raise KeyError(f"field encryption key {key_id!r} is not configured")


def lookup_hash(value: str, *, purpose: str = "id") -> str:
    """Keyed hash for exact-match lookup and cross-checks (hex, 64 chars).

    ``purpose`` separates domains so an ID-number hash never equals an account-number hash.
    """
    return hmac.new(lookup_key(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


def lookup_key(purpose: str = "id") -> bytes:
    """The HMAC key of :func:`lookup_hash`, for code hashing a whole column at once (or in a worker)."""
    return f"{purpose}:{settings.LOOKUP_HASH_KEY}".encode()
