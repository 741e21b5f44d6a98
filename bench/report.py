"""The one results table: rows with median, p95, runs, target and verdict; printed and written
to bench/results.md with the machine's facts (CPU count, Python, date, commit)."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .common import ROOT, Timing

RESULTS = Path(__file__).resolve().parent / "results.md"
COLUMNS = ("#", "measure", "where", "median", "p95", "runs", "target", "verdict")


@dataclass
class Row:
    """One line of the results table, already formatted."""

    section: str
    measure: str
    where: str = ""
    median: str = ""
    p95: str = ""
    runs: str = ""
    target: str = ""
    verdict: str = ""

    def cells(self) -> tuple[str, ...]:
        """The row's cells in COLUMNS order."""
        return (self.section, self.measure, self.where, self.median, self.p95, self.runs,
                self.target, self.verdict)  # fmt: skip


def verdict(ok: bool | None) -> str:
    """PASS / MISS, or nothing when there is no target."""
    return "" if ok is None else ("PASS" if ok else "MISS")


def ms(value: float) -> str:
    """A duration in milliseconds, readable at any size."""
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def size(num_bytes: int | None) -> str:
    """Bytes as kB / MB."""
    if num_bytes is None:
        return "?"
    return f"{num_bytes / 1e6:,.1f} MB" if num_bytes >= 1e6 else f"{num_bytes / 1e3:,.1f} kB"


def timing_row(section: str, measure: str, where: str, timing: Timing,
               target_ms: float | None = None) -> Row:  # fmt: skip
    """A row for a Timing; with `target_ms` the verdict compares the median with it."""
    ok = None if target_ms is None else timing.median_ms < target_ms
    target = f"< {target_ms:g} ms" if target_ms is not None else ""
    return Row(section, measure, where, ms(timing.median_ms), ms(timing.p95_ms),
               str(timing.runs), target, verdict(ok))  # fmt: skip


def git_commit() -> str:
    """The checked-out commit, read from .git without running git."""
    git = ROOT / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head[:12]
        ref = head.split(None, 1)[1]
        for base in (git, Path(str(git).split("/worktrees/")[0])):
            if (base / ref).exists():
                return (base / ref).read_text().strip()[:12]
            packed = base / "packed-refs"
            if packed.exists():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split()[0][:12]
    except OSError:
        pass
    return "unknown"


def machine_facts() -> dict[str, str]:
    """CPU count, Python version, date and commit for the results header."""
    return {
        "CPUs": str(os.cpu_count()),
        "Python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "load average at start": f"{os.getloadavg()[0]:.1f}",
    }


def render(rows: list[Row]) -> str:
    """A markdown table aligned for a terminal (the same text goes to results.md)."""
    table = [COLUMNS, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(COLUMNS), separator, *(line(r.cells()) for r in rows)])


def write(rows: list[Row], facts: dict[str, str], notes: list[str]) -> str:
    """Print-ready text of the whole report; also written to bench/results.md."""
    header = " · ".join(f"{k}: {v}" for k, v in facts.items())
    body = [
        "# `make bench` results",
        "",
        header,
        "",
        render(rows),
        "",
        *[f"- {n}" for n in notes],
        "",
    ]
    text = "\n".join(body)
    RESULTS.write_text(text, encoding="utf-8")
    return text
