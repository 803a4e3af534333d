"""Personal data at rest (个人信息保护法): encryption, searchable digests and masking.

A value such as an ID number is kept as a Fernet ciphertext (AES-CBC + HMAC) that only
a full view decrypts; a keyed digest, salted with the tenant, finds exact matches and
duplicates without decrypting (and cannot link one person across communities); a masked
form serves every list.

Keys come from configuration (``LINLI_DATA_KEYS``, newest first). Rotation: put a new
key first, run ``linli residents rotate-keys`` (re-encrypts every value with it), then
drop the old key. Without configured keys one is derived from the secret key, which is
fine for the embedded instance and nowhere else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from linli.config import Settings


def _derived(secret: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
    return hkdf.derive(secret.encode())


def derived_data_key(secret_key: str) -> str:
    """The embedded default's data key, derived from the secret key (a Fernet key). An
    operator moving to configured keys lists it second in LINLI_DATA_KEYS and rotates."""
    return base64.urlsafe_b64encode(_derived(secret_key, b"linli personal data")).decode()


@dataclass(frozen=True)
class DataVault:
    """The app's keys for personal data, built once from the settings."""

    fernet: MultiFernet
    index_key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> DataVault:
        keys = [key.encode() for key in settings.data_keys] or [
            derived_data_key(settings.secret_key).encode()
        ]
        index_key = (
            settings.data_index_key.encode()
            if settings.data_index_key
            else _derived(settings.secret_key, b"linli personal data index")
        )
        return cls(MultiFernet([Fernet(key) for key in keys]), index_key)

    def encrypt(self, value: str) -> str:
        return self.fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError("personal data encrypted with a key no longer configured") from exc

    def open(self, token: str | None) -> str | None:
        """The value of an optional encrypted column (``None`` stays ``None``)."""
        return None if token is None else self.decrypt(token)

    def rotate(self, token: str) -> str:
        """The same value encrypted with the newest key."""
        return self.fernet.rotate(token.encode()).decode()

    def digest(self, tenant_id: int, value: str) -> str:
        message = f"{tenant_id}:{value}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()


def vault() -> DataVault:
    found: DataVault = current_app.extensions["linli.vault"]
    return found


def mask(value: str, keep_start: int, keep_end: int) -> str:
    """``3501**********1234``: the ends kept, the middle starred, the length kept."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


def mask_id_number(value: str) -> str:
    return mask(value, 4, 4)


def mask_phone(value: str) -> str:
    return mask(value, 3, 4)
