"""Password hashing (argon2id), token digests and encryption of secrets at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kassa.config import get_settings

# argon2id with the library's defaults (RFC 9106 "second recommended" profile).
_hasher = PasswordHasher()
# A hash to compare against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def digest(token: str) -> str:
    """SHA-256 of a high-entropy token: enough for random secrets, fast on every request."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(value: str) -> str:
    """HMAC of a low-entropy value (a 6-digit code) under the platform key."""
    key = get_settings().signing_key().encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _data_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kassa-at-rest", info=b"fields-v1")
    return hkdf.derive(get_settings().signing_key().encode())


def encrypt_field(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_data_key()).encrypt(nonce, plaintext.encode(), b"kassa")
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_field(token: str) -> str:
    raw = base64.urlsafe_b64decode(token.removeprefix("v1:"))
    return AESGCM(_data_key()).decrypt(raw[:12], raw[12:], b"kassa").decode()


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def new_numeric_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"
