"""Uploads waiting between their preview and their commit, kept in Redis so that any app node may
show the preview or take the commit (README, "Running several app nodes"). The rules are those of
`pending_uploads` (the token's shape, the uploader and campaign checked, 12 hours), and Redis
forgets an upload by itself when its time is up. While Redis does not answer, uploads are kept in
the node's own folder instead (then only that node finds them, as with one node). No Flask.
"""

from __future__ import annotations

import contextlib
import json

import redis

from assessment.services.pending_uploads import (
    MAX_AGE_SECONDS,
    Folder,
    Pending,
    new_token,
    pending_for,
    valid_token,
)

PREFIX = "cixi:pending-upload:"


class RedisUploads:
    """The same methods as `pending_uploads.Folder`, on a Redis shared by every node."""

    def __init__(self, client: redis.Redis, fallback: Folder, prefix: str = PREFIX):
        self.client = client
        self.fallback = fallback
        self.prefix = prefix

    def save(self, data: bytes, filename: str, owner: str, user_id: int) -> str:
        """Keep an upload for MAX_AGE_SECONDS; returns its token."""
        token = new_token()
        meta = json.dumps({"filename": filename, "owner": owner, "user_id": user_id})
        try:
            with self.client.pipeline() as pipe:  # MULTI: the upload with its expiry, or nothing
                pipe.hset(self.prefix + token, mapping={"meta": meta, "data": data})
                pipe.expire(self.prefix + token, MAX_AGE_SECONDS)
                pipe.execute()
        except redis.RedisError:
            return self.fallback.save(data, filename, owner, user_id)
        return token

    def load(self, token: str, owner: str, user_id: int) -> Pending | None:
        """The upload under `token`, if still kept and made by `user_id` for `owner`."""
        if not valid_token(token):
            return None
        try:
            found = self.client.hgetall(self.prefix + token)
        except redis.RedisError:
            found = {}
        if not found:
            return self.fallback.load(token, owner, user_id)
        try:
            meta = json.loads(found[b"meta"])
        except (KeyError, ValueError):
            return None
        return pending_for(token, meta, found.get(b"data", b""), owner, user_id)

    def discard(self, token: str) -> None:
        """Forget an upload (after its commit), wherever it was kept."""
        if not valid_token(token):
            return
        with contextlib.suppress(redis.RedisError):  # it expires by itself
            self.client.delete(self.prefix + token)
        self.fallback.discard(token)
