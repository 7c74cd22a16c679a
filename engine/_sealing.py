"""Reporter identity sealed at rest (举报人信息加密保存).

A reporter's identity (name, phone, contact, note) is stored in ``zg_item_reporter.sealed`` as
AES-256-GCM ciphertext, with the ``key_id`` of the key that sealed it; the key itself is never
in the database (a key file or an environment secret, named in the operations configuration,
``[reporter]``; see :mod:`zhenggai.notifications.config`). Whoever holds the database or a
backup of it, and not the key, holds no reporter's identity.

- **Key text**: the standard (or URL-safe) base64 of exactly 32 random bytes, on one line, as
  :meth:`ReporterKeys.new_key_text` writes it (``zhenggai reporter keygen``). Anything else is
  refused with :class:`~zhenggai.engine.errors.ConfigError` naming where the text came from,
  never the text.
- **Key id**: the first 16 hex digits of SHA-256 over a domain label and the key, so the id
  names a key without revealing anything usable about it.
- **Sealed value**: ``base64(version ‖ nonce ‖ ciphertext+tag)``; version 1 is AES-256-GCM
  with a random 12-byte nonce over the identity's canonical JSON (sorted keys, UTF-8), padded
  with spaces to a multiple of 64 bytes so the length tells little. The associated data
  ``zg_item_reporter:<item id>`` binds it to its item: a value copied onto another item's row
  does not open.
- **Rotation**: a :class:`ReporterKeys` ring seals with its current key and opens with any of
  its keys; ``Engine.rekey_reporters`` re-seals every row under the current key, after which
  the previous keys can be dropped.

Opening fails with :class:`~zhenggai.engine.errors.ReporterKeyError` (a key the ring does not
have: lost; or a value that does not authenticate: altered or moved), never with a crash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import ConfigError, ReporterKeyError

__all__ = ["IDENTITY_FIELDS", "ReporterKeys"]

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = 1
#: Plaintext is padded to a multiple of this many bytes (the ciphertext length tells little).
PAD_TO = 64
#: The fields of a reporter's identity, in the order views list them.
IDENTITY_FIELDS = ("name", "phone", "contact", "note")
_KEY_ID_LABEL = b"zhenggai/reporter-key-id/v1\x00"


def _key_id(key: bytes) -> str:
    return hashlib.sha256(_KEY_ID_LABEL + key).hexdigest()[:16]


def _associated(item_id: int) -> bytes:
    return f"zg_item_reporter:{item_id}".encode("ascii")


class ReporterKeys:
    """The keys reporter identities are sealed with: ``current`` seals (and opens), each of
    ``previous`` only opens what it sealed before a rotation. Keys are 32 raw bytes each (use
    :meth:`from_text` for key files and environment secrets); the ring never shows them (its
    ``repr`` lists key ids only)."""

    __slots__ = ("_current", "_keys")

    def __init__(self, current: bytes, previous: Iterable[bytes] = ()) -> None:
        keys: dict[str, AESGCM] = {}
        for index, key in enumerate((current, *previous)):
            if not isinstance(key, bytes) or len(key) != KEY_BYTES:
                where = "current" if index == 0 else f"previous[{index - 1}]"
                raise ConfigError(f"reporter_keys.{where}", f"密钥须为 {KEY_BYTES} 字节")
            keys.setdefault(_key_id(key), AESGCM(key))
        self._current = _key_id(current)
        self._keys = keys

    # -------------------------------------------------------------------------- making rings

    @classmethod
    def from_text(
        cls, current: str, previous: Iterable[tuple[str, str]] = (), *, where: str = "reporter.key"
    ) -> ReporterKeys:
        """A ring from key texts: ``current`` (read from ``where``) and ``previous`` as
        ``(text, where)`` pairs; a text that is not a key is a :class:`ConfigError` naming
        where it came from."""
        return cls(parse_key(current, where), [parse_key(text, at) for text, at in previous])

    @classmethod
    def generate(cls) -> ReporterKeys:
        """A ring with one fresh random key: for a throwaway database (the demo, tests). What it
        seals cannot be read once the ring is gone."""
        return cls(os.urandom(KEY_BYTES))

    @staticmethod
    def new_key_text() -> str:
        """A new key as the text a key file holds (base64 of 32 random bytes)."""
        return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")

    # ----------------------------------------------------------------------------- the ring

    @property
    def current_id(self) -> str:
        """The id of the key that seals."""
        return self._current

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every key's id, the current key's first."""
        return tuple(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __repr__(self) -> str:
        return f"ReporterKeys(current={self._current!r}, key_ids={list(self._keys)!r})"

    # ------------------------------------------------------------------------ seal and open

    def seal(self, item_id: int, identity: Mapping[str, str | None]) -> tuple[str, str]:
        """``identity`` (the :data:`IDENTITY_FIELDS`) sealed for item ``item_id`` with the current
        key: the text to store and the key id to store beside it."""
        plain = json.dumps(
            {name: identity.get(name) for name in IDENTITY_FIELDS},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode("utf-8")
        plain += b" " * (-len(plain) % PAD_TO)
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self._current].encrypt(nonce, plain, _associated(item_id))
        return base64.b64encode(bytes([VERSION]) + nonce + sealed).decode("ascii"), self._current

    def open(self, item_id: int, sealed: str, key_id: str | None) -> dict[str, str | None]:
        """The identity ``sealed`` holds for item ``item_id``; :class:`ReporterKeyError` when
        the ring lacks the key ``key_id`` names, or the value is not what that key sealed for
        this item (altered, or moved from another item)."""
        aead = self._keys.get(key_id or "")
        if aead is None:
            raise ReporterKeyError.lost_key(item_id, key_id, self.key_ids)
        try:
            raw = base64.b64decode(sealed.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise ReporterKeyError.not_authentic(item_id, key_id) from None
        if len(raw) < 1 + NONCE_BYTES + 16 or raw[0] != VERSION:
            raise ReporterKeyError.not_authentic(item_id, key_id)
        try:
            plain = aead.decrypt(raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :], _associated(item_id))
        except InvalidTag:
            raise ReporterKeyError.not_authentic(item_id, key_id) from None
        try:
            data = json.loads(plain.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):  # pragma: no cover - authenticated, so ours
            raise ReporterKeyError.not_authentic(item_id, key_id) from None
        if not isinstance(data, dict):  # pragma: no cover - authenticated, so ours
            raise ReporterKeyError.not_authentic(item_id, key_id)
        return {name: data.get(name) for name in IDENTITY_FIELDS}


def parse_key(text: object, where: str) -> bytes:
    """The 32 key bytes a key text holds; :class:`ConfigError` naming ``where`` (never the text)
    when it is not base64 of exactly 32 bytes."""
    hint = f"须为 {KEY_BYTES} 字节随机数的 base64 文本 (用 zhenggai reporter keygen --out FILE 生成)"
    if not isinstance(text, str):
        raise ConfigError(where, hint)
    compact = "".join(text.split())
    try:
        raw = compact.encode("ascii")
        urlsafe = "-" in compact or "_" in compact
        key = base64.b64decode(raw, altchars=b"-_" if urlsafe else None, validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ConfigError(where, hint) from None
    if len(key) != KEY_BYTES:
        raise ConfigError(where, hint)
    return key
