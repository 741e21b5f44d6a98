"""Uploads kept on the server between a preview and its commit (a target list): the file's bytes
and who uploaded it for what, under a random token, in a directory of the instance. No Flask.

The browser only ever holds the token: the commit reads the file again from here, so nothing the
client sends between the two steps is trusted. Files older than `MAX_AGE` are swept away.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

MAX_AGE_SECONDS = 12 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


@dataclass(frozen=True)
class Pending:
    """An upload waiting for its commit."""

    token: str
    filename: str
    data: bytes
    owner: str  # what it was uploaded for (the campaign's public id)
    user_id: int


def _write(path: Path, content: bytes) -> None:
    # Written whole under a temporary name, then renamed: a reader never sees half a file.
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def sweep(directory: Path, now: float | None = None) -> None:
    """Delete uploads older than MAX_AGE_SECONDS."""
    limit = (now or time.time()) - MAX_AGE_SECONDS
    for path in directory.glob("*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # swept by another worker at the same moment
            continue


def save(directory: Path, data: bytes, filename: str, owner: str, user_id: int) -> str:
    """Keep an upload; returns its token."""
    directory.mkdir(parents=True, exist_ok=True)
    sweep(directory)
    token = new_token()
    meta = {"filename": filename, "owner": owner, "user_id": user_id}
    _write(directory / f"{token}.bin", data)
    _write(directory / f"{token}.json", json.dumps(meta, ensure_ascii=False).encode())
    return token


def valid_token(token: object) -> bool:
    """Whether `token` has the shape `save` gives (anything else is never looked up)."""
    return isinstance(token, str) and bool(_TOKEN.match(token))


def new_token() -> str:
    """A random token for a new upload."""
    return secrets.token_urlsafe(16)


def pending_for(token: str, meta: dict, data: bytes, owner: str, user_id: int) -> Pending | None:
    """The kept upload, if it was made by `user_id` for `owner` (else None: not theirs)."""
    if meta.get("owner") != owner or meta.get("user_id") != user_id:
        return None
    return Pending(token, str(meta.get("filename", "")), data, owner, user_id)


def load(directory: Path, token: str, owner: str, user_id: int) -> Pending | None:
    """The upload under `token` if it is still kept and was made by `user_id` for `owner`."""
    if not valid_token(token):
        return None
    try:
        meta_path = directory / f"{token}.json"
        if meta_path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = (directory / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    return pending_for(token, meta, data, owner, user_id)


def discard(directory: Path, token: str) -> None:
    """Forget an upload (after its commit)."""
    if not valid_token(token):
        return
    for suffix in (".bin", ".json"):
        (directory / f"{token}{suffix}").unlink(missing_ok=True)


class Folder:
    """Uploads kept in a directory of this machine: enough for one app node."""

    def __init__(self, directory: Path):
        self.directory = directory

    def save(self, data: bytes, filename: str, owner: str, user_id: int) -> str:
        """Keep an upload; returns its token."""
        return save(self.directory, data, filename, owner, user_id)

    def load(self, token: str, owner: str, user_id: int) -> Pending | None:
        """The upload under `token`, if still kept and made by `user_id` for `owner`."""
        return load(self.directory, token, owner, user_id)

    def discard(self, token: str) -> None:
        """Forget an upload (after its commit)."""
        discard(self.directory, token)
