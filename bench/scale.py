"""`make bench-scale`: the province-scale tier (issue 17), separate from `make bench`.

    python -m bench.scale [--scales 10000,1000000] [--no-load] [--load-users 200]
                          [--load-seconds 120] [--fresh]

On PostgreSQL only: each scale's database is seeded by COPY (bench/copy_seed.py) or reused when
the seeding code is unchanged (bench/scale_db.py); the bounded pages are timed in-process at every
scale (bench/scale_pages.py) with the ratio of the largest scale's median to the smallest's; then
Locust drives two gunicorn nodes on the largest database (bench/load_scale.py). Prints one table
and writes it to bench/results-scale.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from . import pg, scale_db, scale_pages
from .common import database_bytes, dispose, make_app
from .report import Row, machine_facts, ms, render, size, verdict
from .run import Bench

RESULTS = Path(__file__).resolve().parent / "results-scale.md"
SEED_TARGET_S = 15 * 60
MEDIAN_MS, P95_MS, RATIO = 100, 300, 2.0
LOAD_P95_MS = 500


def _where(scale: int) -> str:
    return f"postgres {scale // 1000:,}k" if scale < 1_000_000 else f"postgres {scale / 1e6:g}M"


def seed_rows(b: Bench, scale: int, report: scale_db.SeedReport | None, app) -> None:
    """Seed time (against 15 minutes at a million), what was written, and the size."""
    where = _where(scale)
    if report is None:
        b.rows.append(Row("1 seed", "COPY seed", where, f"cached ({scale_db.scale_hash()})", "",
                          "0"))  # fmt: skip
    else:
        big = scale >= 1_000_000
        b.rows.append(Row("1 seed", f"COPY seed ({report.assessments:,} assessments)", where,
                          f"{report.seconds:.0f} s", "", "1", f"< {SEED_TARGET_S} s" if big else "",
                          verdict(report.seconds < SEED_TARGET_S) if big else ""))  # fmt: skip
        cpu = report.cpu_python + report.cpu_postgres
        b.rows.append(Row("1 seed", "  CPU time (Python + PostgreSQL)", where,
                          f"{cpu:.0f} s", "", "1", "", ""))  # fmt: skip
        b.notes.append(f"{where} seed CPU: {report.cpu_python:.0f} s in Python (2 processes), "
                       f"{report.cpu_postgres:.0f} s in PostgreSQL; on a quiet 2-CPU machine the "
                       f"wall time is at least half their sum, {cpu / 2:.0f} s")  # fmt: skip
        phases = "; ".join(f"{name} {seconds:.0f} s" for name, seconds in report.phases.items())
        b.notes.append(f"{where} seed: {report.enterprises:,} enterprises, {phases}")
    b.rows.append(Row("1 seed", "database size", where, size(database_bytes(app)), "", "1"))


def page_rows(b: Bench, scale: int, app, timings: dict) -> None:
    """Median and p95 of each page; at the largest scale against the issue's bounds."""
    timings[scale] = scale_pages.measure(app)
    big = scale >= 1_000_000
    for name, t in timings[scale].items():
        ok = t.median_ms < MEDIAN_MS and t.p95_ms < P95_MS
        b.rows.append(Row("2 pages", name, _where(scale), ms(t.median_ms), ms(t.p95_ms),
                          str(t.runs), f"< {MEDIAN_MS} / {P95_MS} ms" if big else "",
                          verdict(ok) if big else ""))  # fmt: skip


def ratio_rows(b: Bench, timings: dict) -> None:
    """Each page's median at the largest scale over its median at the smallest (target ≤ 2)."""
    small, large = min(timings), max(timings)
    label = f"{_where(large).split()[1]} / {_where(small).split()[1]}"
    for name, t in timings[large].items():
        base = timings[small].get(name)
        if base:
            ratio = t.median_ms / base.median_ms
            b.rows.append(Row("3 ratio", name, label, f"{ratio:.2f}×", "", str(t.runs),
                              f"≤ {RATIO:g}×", verdict(ratio <= RATIO)))  # fmt: skip


def load_rows(b: Bench, url: str, scale: int, users: int, seconds: int) -> None:
    """The Locust run against two nodes: latency, errors, submitted rows."""
    from . import load_scale

    before = os.getloadavg()[0]
    r = load_scale.run(url, users, seconds, log=b.log)
    where = f"2 nodes, {_where(scale)}"
    b.rows.append(Row("4 load", f"all requests ({users} users, {r.seconds} s)", where,
                      ms(r.median_ms), ms(r.p95_ms), str(r.requests), f"p95 < {LOAD_P95_MS} ms",
                      verdict(r.p95_ms < LOAD_P95_MS)))  # fmt: skip
    count, median, p95 = r.without_login
    b.rows.append(Row("4 load", "  all but sign-in (exact percentiles)", where, ms(median), ms(p95),
                      str(count), f"p95 < {LOAD_P95_MS} ms", verdict(p95 < LOAD_P95_MS)))  # fmt: skip
    for name, (count, failures, median, p95) in sorted(r.per_name.items()):
        b.rows.append(Row("4 load", f"  {name}", where, ms(median), ms(p95), str(count),
                          "", f"{failures} failed" if failures else ""))  # fmt: skip
    b.rows.append(Row("4 load", "errors (failed requests)", where, str(r.failures), "",
                      str(r.requests), "0", verdict(r.failures == 0)))  # fmt: skip
    added = r.submitted_after - r.submitted_before
    b.rows.append(Row("4 load", "submitted rows added / submits made", where,
                      f"{added} / {r.submits}", "", str(r.submits), "equal",
                      verdict(r.rows_match)))  # fmt: skip
    b.notes.append(f"load test: load average {before:.1f} before, {os.getloadavg()[0]:.1f} "
                   "after; each user signs in once (password hashing: slow on purpose), think "
                   "time 1–5 s, requests alternate between the two nodes")  # fmt: skip


def scale_tier(b: Bench, scale: int, fresh: bool, timings: dict, keep: dict) -> None:
    """Seed or reuse the database of one scale, then time its pages."""
    b.log(f"{_where(scale)}: database (COPY seed unless cached)")
    url, report = scale_db.database(scale, fresh)
    keep[scale] = url
    app = make_app(url)
    try:
        seed_rows(b, scale, report, app)
        b.log(f"{_where(scale)}: pages")
        page_rows(b, scale, app, timings)
    finally:
        dispose(app)


def main(argv: list[str] | None = None) -> int:
    """Run the tiers and the load test; print the table and write bench/results-scale.md."""
    parser = argparse.ArgumentParser(description="Scale tier: 1M assessments on PostgreSQL.")
    parser.add_argument("--scales", default="10000,1000000")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--load-users", type=int, default=200)
    parser.add_argument("--load-seconds", type=int, default=120)
    parser.add_argument("--fresh", action="store_true", help="seed again even if cached")
    args = parser.parse_args(argv)
    reason = pg.reachable()
    if reason:
        print(f"PostgreSQL not reachable: {reason}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    b, facts, timings, urls = Bench(), machine_facts(), {}, {}
    scales = sorted(int(s) for s in args.scales.split(","))
    try:
        for scale in scales:
            b.phase(f"scale {scale}", scale_tier, b, scale, args.fresh, timings, urls)
        if len(timings) > 1:
            ratio_rows(b, timings)
        if not args.no_load and scales[-1] in urls:
            b.phase("load test", load_rows, b, urls[scales[-1]], scales[-1], args.load_users,
                    args.load_seconds)  # fmt: skip
    except KeyboardInterrupt:
        b.notes.append("interrupted: the table is partial")
    facts["load average at end"] = f"{os.getloadavg()[0]:.1f}"
    facts["total runtime"] = f"{b.elapsed():.0f} s"
    b.notes[:0] = [
        "pages timed in-process (Flask test client), as `make bench` does; 'after a submit': the "
        "demo enterprise submits a fresh draft through the web before each timed view (untimed)",
        "the machine is shared: the load average is part of every number",
    ]
    header = " · ".join(f"{k}: {v}" for k, v in facts.items())
    text = "\n".join(["# `make bench-scale` results", "", header, "", render(b.rows), "",
                      *[f"- {n}" for n in b.notes], ""])  # fmt: skip
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
