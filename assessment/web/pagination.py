"""Page-number handling that never fails: bad or out-of-range values are clamped."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Pager:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.page - 1) * self.per_page

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _int(raw: str | None, default: int) -> int:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 9 else default


def pager(args, total: int, default_per_page: int = 50) -> Pager:
    """A pager from request args `page` and `per_page`, clamped to what exists."""
    per_page = min(MAX_PER_PAGE, max(1, _int(args.get("per_page"), default_per_page)))
    pages = max(1, -(-total // per_page))
    page = min(max(1, _int(args.get("page"), 1)), pages)
    return Pager(page, per_page, total)
