"""`make bench`: speed, scale and memory in one table, with targets and ratios (issue 8).

    python -m bench.run [--scales 1000,10000,100000] [--no-pg] [--no-load] [--no-weasyprint]

Prints one table and writes it to bench/results.md. Every loop is bounded in count and time, every
process started here is stopped (also on Ctrl-C), and only loopback is used.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import traceback

from . import pg
from .common import app_at_scale, code_hash, database_bytes, dispose, sqlite_path
from .report import Row, machine_facts, ms, size, timing_row, verdict, write

TARGETS_AT_100K = {"result page": 50, "result page (MIIT)": 50, "dashboard (warm)": 300,
                   "dashboard (cold)": 300, "enterprise list": 100}  # fmt: skip
BIG = 100_000
SEED_TARGET_S = 120
BUDGET_S = 14 * 60
PG_SECONDS_PER_1K = 2.8  # seed + measure on PostgreSQL here, to decide what still fits
FLOOR_SHARE = 0.50  # the survey page's requests/s as a share of the signed-in floor's (issue 17)


class Bench:
    """Collects rows and notes while the phases run; knows the time left."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.extra: dict = {}

    def elapsed(self) -> float:
        """Seconds since the run began."""
        return time.monotonic() - self.started

    def log(self, message: str) -> None:
        """Progress on stderr, so stdout keeps the table."""
        print(f"[{self.elapsed():5.0f} s] {message}", file=sys.stderr, flush=True)

    def phase(self, name: str, fn, *args) -> None:
        """Run one phase; a failure becomes a note and the run goes on."""
        self.log(name)
        try:
            fn(*args)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - reported in the table's notes
            traceback.print_exc(file=sys.stderr)
            self.notes.append(f"{name}: not measured ({type(exc).__name__}: {exc})")


def scoring(b: Bench) -> None:
    """Section 1: engine throughput per questionnaire."""
    from . import scoring as engine

    measured = engine.measure()
    for item in measured:
        b.rows.append(Row("1 scoring", f"engine throughput {item.name}", "in-process",
                          f"{item.median:,.0f}/s", f"{item.p95:,.0f}/s", str(item.runs)))  # fmt: skip
    for item in measured[1:]:
        b.rows.append(Row("1 scoring", f"  {item.name.split()[0]} / {measured[0].name.split()[0]}",
                          "in-process", f"{item.median / measured[0].median:.2f}×", "",
                          str(item.runs)))  # fmt: skip
    for timing, steps in engine.planner():
        plan = f"{steps} steps" if steps is not None else "unreachable"
        b.rows.append(timing_row("1 scoring", f"{timing.name} ({plan})", "in-process", timing))


def import_rows(b: Bench, with_pg: bool) -> None:
    """Section 8: a 10,000-row campaign target list, read, previewed and committed (issue 15)."""
    from . import import_targets

    b.rows.extend(import_targets.bench_rows(10_000, with_pg))


def server_rows(b: Bench, app, where: str, scale: int) -> None:
    """Section 3 at one scale and database."""
    from . import server

    for name, timing in server.measure(app).items():
        target = TARGETS_AT_100K.get(name) if scale >= BIG else None
        b.rows.append(timing_row("3 server", name, where, timing, target))
    b.phase(f"{where}: MIIT result page", miit_rows, b, app, where, scale)
    b.phase(f"{where}: API beside the pages", api_rows, b, app, where, scale)


def api_rows(b: Bench, app, where: str, scale: int) -> None:
    """Section 9: the API beside its pages (bench/api.py)."""
    from . import api

    b.rows.extend(api.bench_rows(app, where, scale >= BIG))


def miit_rows(b: Bench, app, where: str, scale: int) -> None:
    """Section 3, the MIIT result page (its own phase: a failure leaves the other rows)."""
    from . import server

    for name, timing in server.measure_miit(app).items():
        target = TARGETS_AT_100K.get(name) if scale >= BIG else None
        b.rows.append(timing_row("3 server", name, where, timing, target))


def seed_rows(b: Bench, app, where: str, scale: int, seconds: float | None) -> None:
    """Section 2 at one scale and database: seed time (only when seeded here) and size."""
    target = f"< {SEED_TARGET_S} s" if scale >= BIG else ""
    if seconds is None:
        b.rows.append(Row("2 seed", "seed time", where, f"cached ({code_hash()})", "", "0"))
    else:
        ok = seconds < SEED_TARGET_S if scale >= BIG else None
        b.rows.append(Row("2 seed", "seed time", where, f"{seconds:.1f} s", "", "1", target,
                          verdict(ok)))  # fmt: skip
    b.rows.append(Row("2 seed", "database size", where, size(database_bytes(app)), "", "1"))


def sqlite_scale(b: Bench, scale: int) -> None:
    """Sections 2 and 3 on SQLite; the 100k database is always seeded afresh."""
    where = f"sqlite {scale // 1000}k"
    b.log(f"{where}: database ({'fresh seed' if scale >= BIG else 'cached or seeded'})")
    app, seconds = app_at_scale(scale, fresh=scale >= BIG)
    try:
        seed_rows(b, app, where, scale, seconds)
        b.log(f"{where}: server timings")
        server_rows(b, app, where, scale)
    finally:
        dispose(app)


def pg_scale(b: Bench, scale: int) -> None:
    """Sections 2 and 3 on a throw-away PostgreSQL database bench_<scale>."""
    where = f"postgres {scale // 1000}k"
    with pg.database(scale) as url:
        b.log(f"{where}: seeding")
        app, seconds = app_at_scale(scale, url)
        try:
            seed_rows(b, app, where, scale, seconds)
            analyzed = pg.vacuum_analyze(url)
            b.notes.append(f"{where}: VACUUM ANALYZE after the seed took {analyzed:.1f} s (not in "
                           "the seed time; timings below are on the analyzed database)")  # fmt: skip
            b.log(f"{where}: server timings")
            server_rows(b, app, where, scale)
        finally:
            dispose(app)


def pdf(b: Bench, scale: int) -> None:
    """Section 4 (bench/report_pdf.py) and section 6 (WeasyPrint), on the same database."""
    from . import report_pdf

    measured, _fonts = report_pdf.measure(scale, runs=20)
    where = f"sqlite {scale // 1000}k"
    builds = {}
    for item in measured:  # (lang, build Timing, [cpu Timing,] view+build Timing, bytes, pages)
        lang, build, num_bytes, pages = item[0], item[1], item[-2], item[-1]
        builds[lang] = build
        b.rows.append(timing_row("4 PDF", f"reportlab build ({lang}, warm)", where, build,
                                 report_pdf.TARGET_MS))  # fmt: skip
        cpu = item[2] if len(item) > 5 else None
        if cpu is not None:
            b.rows.append(timing_row("4 PDF", f"  same, CPU time of the process ({lang})", where,
                                     cpu, report_pdf.TARGET_MS))  # fmt: skip
        b.rows.append(Row("4 PDF", f"PDF size ({lang}, {pages} pages)", where, size(num_bytes),
                          "", "1", f"< {report_pdf.TARGET_KB} KB",
                          verdict(num_bytes < report_pdf.TARGET_KB * 1024)))  # fmt: skip
    b.extra["reportlab_zh"] = builds.get("zh")


def weasyprint(b: Bench, scale: int) -> None:
    """Section 6: WeasyPrint rendering the result page's HTML, as a ratio to reportlab."""
    from . import weasy
    from .common import make_app

    reason = weasy.ensure_weasyprint()
    label = "WeasyPrint HTML → PDF (result page, zh)"
    if reason:
        b.rows.append(Row("6 alt PDF", label, "", "not measured", "", "0", "", ""))
        b.notes.append(f"WeasyPrint not measured: {reason}")
        return
    app = make_app(f"sqlite:///{sqlite_path(scale)}")
    try:
        timing, num_bytes = weasy.measure(app)
    finally:
        dispose(app)
    where = f"sqlite {scale // 1000}k"
    b.rows.append(timing_row("6 alt PDF", label, where, timing))
    b.rows.append(Row("6 alt PDF", "WeasyPrint PDF size", where, size(num_bytes), "", "1"))
    ours = b.extra.get("reportlab_zh")
    if ours:
        ratio = timing.median_ms / ours.median_ms
        b.rows.append(Row("6 alt PDF", "WeasyPrint / reportlab build time", where,
                          f"{ratio:.1f}×", "", str(min(timing.runs, ours.runs))))  # fmt: skip


def throughput_rows(b: Bench, result: dict, where: str) -> None:
    """Section 5's requests/s. The target (issue 17): the survey page's rate as a share of the
    signed-in floor's, the most any signed-in page of this stack reaches; the ratios to a bare
    hello-world are information only (they measure Flask and gunicorn, not this product)."""
    ours, hello = result["ours"], result["hello"]

    def rate(values):
        return f"{sorted(values)[len(values) // 2]:,.0f} req/s", f"{min(values):,.0f} req/s"

    gen = result["generator"]
    floor = result["floor"]
    b.rows.append(Row("5 HTTP", f"survey page GET ({gen})", where, *rate(ours), str(len(ours))))
    if floor:
        b.rows.append(Row("5 HTTP", f"signed-in floor GET ({gen})", where, *rate(floor),
                          str(len(floor))))  # fmt: skip
        of_floor = sorted(ours)[len(ours) // 2] / sorted(floor)[len(floor) // 2]
        b.rows.append(Row("5 HTTP", "survey page / signed-in floor", where, f"{of_floor:.0%}",
                          f"{min(ours) / max(floor):.0%}", str(len(ours)), f"≥ {FLOOR_SHARE:.0%}",
                          verdict(of_floor >= FLOOR_SHARE)))  # fmt: skip
        b.notes.append(
            "signed-in floor (bench/floor.py): the product app with one bench-only page that only "
            "signs the user in from the database, reads one owned assessment and renders the base "
            "layout: the most any signed-in page of this stack can reach"
        )
    else:
        b.rows.append(Row("5 HTTP", "survey page / signed-in floor", where, "not measured", "",
                          "0", f"≥ {FLOOR_SHARE:.0%}", verdict(False)))  # fmt: skip
    b.rows.append(Row("5 HTTP", f"hello-world GET ({gen})", where, *rate(hello), str(len(hello))))
    ratio = sorted(ours)[len(ours) // 2] / sorted(hello)[len(hello) // 2]
    b.rows.append(Row("5 HTTP", "  survey page / hello-world (information)", where,
                      f"{ratio:.0%}", f"{min(ours) / max(hello):.0%}", str(len(ours))))  # fmt: skip
    if floor:
        floor_ratio = sorted(floor)[len(floor) // 2] / sorted(hello)[len(hello) // 2]
        b.rows.append(Row("5 HTTP", "  signed-in floor / hello-world (information)", where,
                          f"{floor_ratio:.0%}", f"{min(floor) / max(hello):.0%}", str(len(floor))))  # fmt: skip


def load(b: Bench, scale: int) -> None:
    """Sections 5 and 7 under gunicorn on the SQLite database of this scale."""
    from . import load as http
    from .common import make_app
    from .server import demo_paths

    url = f"sqlite:///{sqlite_path(scale)}"
    app = make_app(url)
    try:
        paths = demo_paths(app)
    finally:
        dispose(app)
    result = http.measure(url, paths.survey_page, paths.result_page)
    where = f"gunicorn, sqlite {scale // 1000}k"
    ours, hello = result["ours"], result["hello"]
    if not ours or not hello:
        raise RuntimeError("no throughput measured")

    throughput_rows(b, result, where)
    cpu = {k: [v for v in result[f"{k}_cpu_ms"] if v] for k in ("ours", "hello", "floor")}
    if cpu["ours"] and cpu["hello"]:
        labels = (("ours", "survey page"), ("floor", "signed-in floor"), ("hello", "hello-world"))
        for key, label in (pair for pair in labels if cpu[pair[0]]):
            values = sorted(cpu[key])
            b.rows.append(Row("5 HTTP", f"  worker CPU per request, {label}", where,
                              ms(values[len(values) // 2]), ms(values[-1]), str(len(values))))  # fmt: skip
        b.notes.append(
            "worker CPU per request (from /proc/<pid>/stat) does not depend on what else the "
            "machine runs; its hello/ours ratio is "
            f"{sorted(cpu['hello'])[len(cpu['hello']) // 2] / sorted(cpu['ours'])[len(cpu['ours']) // 2]:.0%}"
        )
    if result["errors"]:
        b.notes.append(f"throughput runs had {result['errors']} non-2xx/socket errors")
    mixed = result["mixed"]
    peaks = [v for v in result["rss_mb"].values() if v is not None]
    peak = max(peaks) if peaks else None
    b.rows.append(Row("7 memory", f"worker peak RSS (VmHWM) after {mixed['requests']} mixed",
                      where, f"{peak:.0f} MB" if peak else "?",
                      "", str(len(peaks)), "< 200 MB",
                      verdict(peak is not None and peak < 200)))  # fmt: skip
    b.notes.append(
        f"mixed requests: {mixed['requests']} in {mixed['seconds']:.0f} s, status {mixed['status']}, "
        f"latency median {mixed['latency_ms']['median']} ms, p95 {mixed['latency_ms']['p95']} ms; "
        f"worker peaks {', '.join(f'{v:.0f} MB' for v in peaks)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run every phase within the time budget; print the table and write bench/results.md."""
    parser = argparse.ArgumentParser(description="Benchmarks: speed, scale and memory.")
    parser.add_argument("--scales", default="1000,10000,100000")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--no-weasyprint", action="store_true")
    args = parser.parse_args(argv)
    scales = sorted(int(s) for s in args.scales.split(","))
    biggest = scales[-1]
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    b = Bench()
    facts = machine_facts()
    interrupted = False
    try:
        b.phase("1 scoring throughput", scoring, b)
        b.phase("8 target-list import", import_rows, b, not args.no_pg)
        for scale in scales:
            b.phase(f"2+3 sqlite {scale}", sqlite_scale, b, scale)
        b.phase("4 PDF build", pdf, b, biggest)
        if not args.no_weasyprint:
            b.phase("6 WeasyPrint", weasyprint, b, biggest)
        if not args.no_load:
            b.phase("5+7 gunicorn load", load, b, biggest)
        reason = "--no-pg" if args.no_pg else pg.reachable()
        for scale in scales if reason is None else []:
            needed = scale / 1000 * PG_SECONDS_PER_1K + 30
            if b.elapsed() + needed > BUDGET_S:
                b.notes.append(f"postgres {scale // 1000}k skipped: about {needed:.0f} s more "
                               "would pass the 15-minute budget")  # fmt: skip
                continue
            b.phase(f"2+3 postgres {scale}", pg_scale, b, scale)
        if reason is not None:
            b.notes.append(f"PostgreSQL not measured: {reason}")
    except KeyboardInterrupt:
        interrupted = True
        b.notes.append("interrupted: the table is partial")
    facts["total runtime"] = f"{b.elapsed():.0f} s"
    b.notes[:0] = [
        "median and p95 over the runs shown; throughput rows give the median and the slowest "
        "run (p95 column); a dashboard 'cold' run follows a generation bump, as after a submit; "
        "'last year' is a period that has ended: the maintained totals cannot answer it, so its "
        "first view in a worker is slow, but a submit cannot change it, so it stays cached",
        "server timings use the in-process test client (no network), warm; the submit runs each "
        "post a fresh complete draft; the CSV export covers every enterprise of the default filter",
    ]
    print(write(b.rows, facts, b.notes))
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
