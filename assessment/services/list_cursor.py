"""Keyset cursors for the bureau's enterprise list: the sort, its direction, and the sort value and
assessment id of the last row given. No Flask.

A cursor is opaque to clients: URL-safe base64 of a small JSON object and an HMAC of it under the
app's secret key, so an edited cursor is refused (`CursorError`) rather than read as some other
position; decoding also checks every part (a cursor made for another sort or direction is refused). The list orders rows by (value is NULL, value, id) — rows without a
value last in either direction, ties by id ascending — and `after` is the condition for the rows
that come after a cursor in that order.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_

# The kind of value each sort compares; dimension sorts ("dim:…") are numbers.
TEXT_SORTS = ("name", "uscc", "town", "industry", "size", "stage")
MAX_CHARS = 400
MAC_BYTES = 12


class CursorError(ValueError):
    """A cursor this list did not give, or one given for another sort or direction."""


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the row with this sort value and assessment id."""

    sort: str
    descending: bool
    value: Any  # str, float or datetime (by sort); None when the row had no value
    id: int

    def encode(self, key: bytes) -> str:
        """The opaque form given to clients, signed with `key`."""
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        data = {"s": self.sort, "d": int(self.descending), "v": value, "i": self.id}
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return _b64(raw) + "." + _b64(_mac(key, raw))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, raw: bytes) -> bytes:
    return hmac.new(key, b"list-cursor:" + raw, hashlib.sha256).digest()[:MAC_BYTES]


def _value(sort: str, value: Any) -> Any:
    """The cursor's value as the column holds it (CursorError for a value of the wrong kind)."""
    if value is None:
        return None
    if sort == "date":
        if not isinstance(value, str):
            raise CursorError(sort)
        try:
            return datetime.fromisoformat(value)
        except ValueError as exc:
            raise CursorError(sort) from exc
    if sort in TEXT_SORTS:
        if not isinstance(value, str):
            raise CursorError(sort)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CursorError(sort)
    return float(value)


def decode(text: str, sort: str, descending: bool, key: bytes) -> Cursor:
    """The cursor `text` stands for, signed with `key`, checked against the requested sort and
    direction."""
    if not text or len(text) > MAX_CHARS or text.count(".") != 1:
        raise CursorError("length")
    try:
        raw, mac = (_unb64(part) for part in text.split("."))
        if not hmac.compare_digest(mac, _mac(key, raw)):
            raise CursorError("signature")
        data = json.loads(raw)
    except (ValueError, binascii.Error) as exc:
        raise CursorError("encoding") from exc
    if not isinstance(data, dict) or set(data) != {"s", "d", "v", "i"}:
        raise CursorError("shape")
    last_id = data["i"]
    if isinstance(last_id, bool) or not isinstance(last_id, int) or last_id < 1:
        raise CursorError("id")
    if data["s"] != sort or data["d"] not in (0, 1) or bool(data["d"]) != descending:
        raise CursorError("sort")
    return Cursor(sort, descending, _value(sort, data["v"]), last_id)


def after(column, id_column, cursor: Cursor):
    """The rows after `cursor` in the order (column IS NULL, column [DESC], id)."""
    if cursor.value is None:  # within the rows without a value, which come last
        return and_(column.is_(None), id_column > cursor.id)
    beyond = column < cursor.value if cursor.descending else column > cursor.value
    return or_(
        column.is_(None), beyond, and_(column == cursor.value, id_column > cursor.id)
    )  # fmt: skip
