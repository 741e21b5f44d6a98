"""A campaign's progress as one figure: a bar per town (or industry) split into how far its
targets got, from approved to not registered, with the completion rate at the end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from assessment.core.charts.shapes import PALETTE, Figure, Label, Rect

# Darkest first: approved, submitted (awaiting review), started, registered, not registered.
SEGMENT_COLORS = ("#06386b", "#4f86c6", "#8fb3dc", "#c9d3df", "#eef1f5")
SEGMENT_TEXTS = ("progress_approved", "progress_submitted", "progress_started",
                 "progress_registered", "progress_not_registered")  # fmt: skip


class ProgressCounts(Protocol):
    """What the figure reads of one group (the services layer's `GroupRow` has it)."""

    targets: int
    registered: int
    started: int
    submitted: int
    approved: int


def segments(row: ProgressCounts) -> tuple[int, int, int, int, int]:
    """The targets of a group by furthest step: approved, submitted only, started only,
    registered only, not registered (they add up to the targets)."""
    return (row.approved, row.submitted - row.approved, row.started - row.submitted,
            row.registered - row.started, row.targets - row.registered)  # fmt: skip


def progress_bars(rows: Sequence[tuple[str, ProgressCounts]], texts: dict[str, str],
                  width: float = 560) -> Figure:  # fmt: skip
    """One bar per (label, counts), each 100 % of its targets, and a legend under them."""
    label_w, rate_w, row_h, top = 120, 46, 24, 8
    bar_w = width - label_w - rate_w
    legend_rows = 2
    fig = Figure(
        width, top + row_h * len(rows) + 14 + 18 * legend_rows, title=texts["progress_title"]
    )
    for i, (label, row) in enumerate(rows):
        y = top + i * row_h
        fig.shapes.append(Label(label_w - 8, y + row_h / 2 + 3, label, 9, "end"))
        x = float(label_w)
        for count, color in zip(segments(row), SEGMENT_COLORS, strict=True):
            w = bar_w * count / row.targets if row.targets else 0
            if w > 0:
                fig.shapes.append(Rect(x, y + 4, w, row_h - 8, color))
            x += w
        rate = f"{100 * row.submitted / row.targets:.0f}%" if row.targets else "—"
        fig.shapes.append(Label(width - 4, y + row_h / 2 + 3, rate, 9, "end", bold=True))
    legend_top = top + row_h * len(rows) + 14
    per_row = 3
    slot = width / per_row
    for n, (key, color) in enumerate(zip(SEGMENT_TEXTS, SEGMENT_COLORS, strict=True)):
        lx, ly = (n % per_row) * slot + 4, legend_top + 18 * (n // per_row)
        fig.shapes.append(Rect(lx, ly, 10, 10, color, PALETTE["grid"]))
        fig.shapes.append(Label(lx + 14, ly + 9, texts[key], 9, "start"))
    return fig
