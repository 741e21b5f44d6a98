"""A bounded load generator (the fallback when wrk is missing), standard library only.

    python -m bench.loadgen --port P --plan plan.json [--connections 8] [--duration 10]
                            [--max-requests 100000]

Threads with one keep-alive http.client connection each cycle through the plan (a JSON list of
{"path", "cookie"}) on 127.0.0.1 until the duration or the request count is reached, then print
one JSON line: requests, seconds, requests/s, errors, status counts, latency median and p95.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import re
import statistics
import threading
import time
import urllib.parse

HOST = "127.0.0.1"  # loopback only, always
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def login(port: int, email: str, password: str) -> str:
    """Sign in through the real form (CSRF token included); returns the Cookie header value."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/auth/login")
        response = conn.getresponse()
        page = response.read().decode("utf-8", "replace")
        _cookies(response, jar)
        match = CSRF_RE.search(page)
        form = {"email": email, "password": password}
        if match:
            form["csrf_token"] = match.group(1)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}  # fmt: skip
        conn.request("POST", "/auth/login", urllib.parse.urlencode(form), headers)
        response = conn.getresponse()
        response.read()
        _cookies(response, jar)
        if response.status != 302:
            raise RuntimeError(f"login of {email} answered HTTP {response.status}")
    finally:
        conn.close()
    return "; ".join(f"{k}={v}" for k, v in jar.items())


class _Shared:
    def __init__(self, plan: list[dict], max_requests: int, deadline: float):
        self.plan = itertools.cycle(plan)
        self.left = max_requests
        self.deadline = deadline
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.status: dict[str, int] = {}
        self.failures = 0

    def next_item(self) -> dict | None:
        with self.lock:
            if self.left <= 0 or time.perf_counter() >= self.deadline:
                return None
            self.left -= 1
            return next(self.plan)


def _worker(shared: _Shared, port: int) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        while (item := shared.next_item()) is not None:
            start = time.perf_counter()
            try:
                headers = {"Cookie": item["cookie"]} if item.get("cookie") else {}
                conn.request("GET", item["path"], headers=headers)
                response = conn.getresponse()
                response.read()
                code = str(response.status)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                code = "error"
            elapsed = time.perf_counter() - start
            with shared.lock:
                shared.latencies.append(elapsed)
                shared.status[code] = shared.status.get(code, 0) + 1
    finally:
        conn.close()


def run(port: int, plan: list[dict], connections: int, duration: float, max_requests: int) -> dict:
    """Drive the plan; returns the summary printed by the command."""
    began = time.perf_counter()
    shared = _Shared(plan, max_requests, began + duration)
    threads = [threading.Thread(target=_worker, args=(shared, port), daemon=True)
               for _ in range(connections)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 120)
    seconds = time.perf_counter() - began
    done = len(shared.latencies)
    ordered = sorted(shared.latencies) or [0.0]
    return {
        "requests": done,
        "seconds": round(seconds, 3),
        "rps": round(done / seconds, 1) if seconds else 0.0,
        "errors": sum(n for code, n in shared.status.items() if code != "200"),
        "status": shared.status,
        "latency_ms": {
            "median": round(statistics.median(ordered) * 1000, 2),
            "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        },
    }


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--plan", required=True, help="JSON file: [{path, cookie}, ...]")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    with open(args.plan, encoding="utf-8") as fh:
        plan = json.load(fh)
    duration = min(args.duration, 300.0)
    print(json.dumps(run(args.port, plan, max(1, min(args.connections, 64)), duration,
                         args.max_requests)))  # fmt: skip


if __name__ == "__main__":
    main()
