#!/usr/bin/env python3
"""Fill and submit an assessment through the API, then download its PDF (standard library only).

    python tools/api_example.py --base http://127.0.0.1:5000 --token cxa_… \\
        --answers answers.json --questionnaire lianghua --out report.pdf

`answers.json` holds answers by question id (see GET /api/v1/questionnaires/{id}/versions/{v}):
{"f_network": "wired", "f_equipment_total": 120, …}. The token needs the scopes read:own and
write:own (My account → API tokens). The submit carries an Idempotency-Key, so the retry after a
dropped connection returns the first answer instead of submitting twice.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid


class ApiError(Exception):
    """An error answer of the API (application/problem+json)."""

    def __init__(self, status: int, body: dict):
        super().__init__(f"{status} {body.get('title')}: {body.get('detail')} {body.get('errors')}")
        self.status, self.body = status, body


def call(base: str, token: str, method: str, path: str, body=None, headers=None, raw=False):
    """One API request; the decoded JSON (or the bytes when `raw`)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base.rstrip("/") + "/api/v1" + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept-Language", "en")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
    except urllib.error.HTTPError as exc:
        raise ApiError(exc.code, json.loads(exc.read() or b"{}")) from None
    return payload if raw else json.loads(payload)


def submit(base: str, token: str, public_id: str) -> dict:
    """Submit with an Idempotency-Key; retried once on a dropped connection with the same key."""
    key = {"Idempotency-Key": str(uuid.uuid4())}
    path = f"/assessments/{public_id}/submit"
    try:
        return call(base, token, "POST", path, headers=key)
    except (urllib.error.URLError, TimeoutError):
        return call(base, token, "POST", path, headers=key)


def run(base: str, token: str, questionnaire: str, answers: dict, out: str, lang: str) -> dict:
    """Draft → answers → submit → PDF; returns the submitted assessment."""
    draft = call(base, token, "POST", "/assessments", {"questionnaire": questionnaire})
    checked = call(base, token, "POST", f"/assessments/{draft['id']}/check", {"answers": answers})
    if not checked["valid"]:
        raise SystemExit(f"answers need attention: {checked['errors']}")
    saved = call(base, token, "PATCH", f"/assessments/{draft['id']}/answers",
                 {"lock_version": draft["lock_version"], "answers": answers})  # fmt: skip
    if saved["missing"]:
        raise SystemExit(f"required answers missing: {saved['missing']}")
    done = submit(base, token, draft["id"])
    pdf = call(base, token, "GET", f"/assessments/{draft['id']}/report.pdf?lang={lang}", raw=True)
    with open(out, "wb") as handle:
        handle.write(pdf)
    return done


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--answers", required=True, help="JSON file: answers by question id")
    parser.add_argument("--questionnaire", default="lianghua")
    parser.add_argument("--out", default="report.pdf")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    args = parser.parse_args(argv)
    with open(args.answers, encoding="utf-8") as handle:
        answers = json.load(handle)
    try:
        done = run(args.base, args.token, args.questionnaire, answers, args.out, args.lang)
    except ApiError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"submitted {done['id']}: total {done['total']}, stage {done['stage']}; PDF: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
