"""The bureau's enterprise list and export rows: enterprises with their latest scores. No Flask.

Queries start from the latest-assessment set (served by a covering index), sort and cut the page
there, and only then load the page's enterprises and dimension scores.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from assessment.core.questionnaire.model import Questionnaire
from assessment.services import list_cursor
from assessment.services.bureau_filters import Filters, latest_set
from assessment.services.list_cursor import Cursor
from assessment.services.models import Assessment, DimensionScore, Enterprise, QuestionScore

FIXED_SORTS = ("name", "uscc", "town", "industry", "size", "date", "total", "stage")


@dataclass
class Row:
    enterprise: Enterprise
    assessment_id: int
    assessment_public_id: str
    submitted_at: datetime
    total: float
    stage: str
    version: str  # the questionnaire version answered (filters may pool several)
    dimensions: dict[str, float]
    # Points questionnaires (MIIT): each scored dimension's exact points, when asked for.
    points: dict[str, Decimal] = field(default_factory=dict)
    answers: dict[str, Any] | None = None  # the stored answers, when asked for (exports)


def scored_dimensions(questionnaire: Questionnaire) -> tuple:
    """The dimensions that carry a score (rated-scenario dimensions have none)."""
    return tuple(d for d in questionnaire.dimensions if d.kind == "points")


def sort_keys(questionnaire: Questionnaire) -> tuple[str, ...]:
    """Every column the list may be sorted by (fixed ones and one per scored dimension)."""
    return FIXED_SORTS + tuple(f"dim:{d.id}" for d in scored_dimensions(questionnaire))


def _selection(filters: Filters, search: str | None, sort: str = "total"):
    latest = latest_set(filters)
    needs_enterprise = bool(search) or sort in ("name", "uscc")
    stmt = select(latest.c.id, latest.c.enterprise_id).select_from(latest)
    if needs_enterprise:
        stmt = stmt.join(Enterprise, Enterprise.id == latest.c.enterprise_id)
    if search:
        stmt = stmt.where(_matches(search))
    return stmt, latest


def _matches(search: str):
    """The search condition: the name contains the term, or the credit code starts with it."""
    term = search.strip()
    return or_(Enterprise.name.contains(term, autoescape=True),
               Enterprise.uscc.startswith(term.upper(), autoescape=True))  # fmt: skip


def count(session: Session, filters: Filters, search: str | None) -> int:
    """How many assessed enterprises match."""
    stmt, _latest = _selection(filters, search)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _ordered(filters: Filters, search: str | None, sort: str, descending: bool):
    """The list's query in its order, with the sort column and the id column it ends with."""
    stmt, latest = _selection(filters, search, sort)
    if sort.startswith("dim:"):
        score = aliased(DimensionScore)
        stmt = stmt.outerjoin(
            score, and_(score.assessment_id == latest.c.id, score.dimension_id == sort[4:])
        )
        column = score.score
    else:
        columns = {
            "name": Enterprise.name, "uscc": Enterprise.uscc, "town": latest.c.town,
            "industry": latest.c.industry, "size": latest.c.size_class,
            "date": latest.c.submitted_at, "stage": latest.c.stage, "total": latest.c.total,
        }  # fmt: skip
        column = columns.get(sort, latest.c.total)
    ordered = column.desc() if descending else column.asc()
    # Rows without a value go last either way; the id keeps pages stable (list_cursor.after
    # relies on exactly this order).
    return stmt.order_by(column.is_(None), ordered, latest.c.id), column, latest.c.id


def page(
    session: Session, filters: Filters, search: str | None,
    sort: str, descending: bool, limit: int, offset: int,
    questionnaire: Questionnaire | None = None,
) -> list[Row]:  # fmt: skip
    """One page of enterprises with their latest scores, sorted by any column; with a points
    questionnaire (MIIT), each row also carries its dimensions' exact points."""
    stmt, _column, _id = _ordered(filters, search, sort, descending)
    ids = session.execute(stmt.limit(limit).offset(offset)).all()
    rows = _load(session, [aid for aid, _eid in ids])
    if questionnaire is not None and questionnaire.scoring == "points":
        _add_points(session, rows, questionnaire)
    return rows


@dataclass
class KeysetPage:
    """A page of the list read after a cursor, and the cursor of the page after it (None: the
    last page)."""

    rows: list[Row]
    next_cursor: Cursor | None


def page_after(
    session: Session, filters: Filters, search: str | None, sort: str, descending: bool,
    limit: int, cursor: Cursor | None = None, questionnaire: Questionnaire | None = None,
) -> KeysetPage:  # fmt: skip
    """The `limit` rows after `cursor` (from the start without one) in the list's order: the
    database seeks past the cursor instead of counting and skipping every row before it, and a
    row inserted meanwhile never shifts a later page (no row is given twice)."""
    stmt, column, id_column = _ordered(filters, search, sort, descending)
    if cursor is not None:
        stmt = stmt.where(list_cursor.after(column, id_column, cursor))
    found = session.execute(stmt.add_columns(column).limit(limit + 1)).all()
    rows = _load(session, [aid for aid, _eid, _value in found[:limit]])
    if questionnaire is not None and questionnaire.scoring == "points":
        _add_points(session, rows, questionnaire)
    last = found[limit - 1] if len(found) > limit else None
    next_cursor = Cursor(sort, descending, last[2], last[0]) if last is not None else None
    return KeysetPage(rows, next_cursor)


def _add_points(session: Session, rows: list[Row], questionnaire: Questionnaire) -> None:
    points = dimension_points(session, questionnaire, [row.assessment_id for row in rows])
    for row in rows:
        row.points = points[row.assessment_id]


def dimension_points(
    session: Session, questionnaire: Questionnaire, assessment_ids: list[int]
) -> dict[int, dict[str, Decimal]]:
    """Per assessment, each scored dimension's points: the exact sum of its stored question points
    (stored as floats of exact decimals such as 0.7 or 1.875, so their reprs add up exactly)."""
    dims = scored_dimensions(questionnaire)
    out = {aid: {d.id: Decimal(0) for d in dims} for aid in assessment_ids}
    if not assessment_ids:
        return out
    stmt = select(QuestionScore.assessment_id, QuestionScore.question_id, QuestionScore.points)
    for aid, qid, points in session.execute(
        stmt.where(QuestionScore.assessment_id.in_(assessment_ids))
    ):
        question = questionnaire.question(qid)
        if question is not None and question.dimension in out[aid]:
            out[aid][question.dimension] += Decimal(repr(points))
    return out


@dataclass
class _Picked:
    id: int
    public_id: str
    submitted_at: datetime
    total: float
    stage: str
    version: str


def _load(session: Session, assessment_ids: list[int], answers: bool = False) -> list[Row]:
    """Rows for these assessments, in the given order (with their stored answers if asked)."""
    if not assessment_ids:
        return []
    # Only the columns shown: an assessment row also carries its (large) answers.
    columns = (Assessment.id, Assessment.public_id, Assessment.submitted_at, Assessment.total,
               Assessment.stage, Assessment.questionnaire_version)  # fmt: skip
    found = {
        row.id: (row, e)
        for *cols, e in session.execute(
            select(*columns, Enterprise)
            .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
            .where(Assessment.id.in_(assessment_ids))
        )
        for row in [_Picked(*cols)]
    }
    scores: dict[int, dict[str, float]] = {}
    for aid, did, value in session.execute(
        select(
            DimensionScore.assessment_id, DimensionScore.dimension_id, DimensionScore.score
        ).where(DimensionScore.assessment_id.in_(assessment_ids))
    ):
        scores.setdefault(aid, {})[did] = value
    rows = [
        Row(e, a.id, a.public_id, a.submitted_at, a.total, a.stage, a.version, scores.get(a.id, {}))
        for a, e in (found[i] for i in assessment_ids if i in found)
    ]
    if answers:
        stmt = select(Assessment.id, Assessment.answers).where(Assessment.id.in_(assessment_ids))
        stored = dict(session.execute(stmt).all())
        for row in rows:
            row.answers = stored[row.assessment_id]
    return rows


def iter_all(
    session: Session, filters: Filters, search: str | None = None, batch: int = 1000,
    answers: bool = False,
) -> Iterator[Row]:  # fmt: skip
    """Every assessed enterprise in the filter, by credit code, streamed in batches (exports);
    `answers`: each row carries its stored answers (for exports that re-score them)."""
    latest = latest_set(filters)
    stmt = select(latest.c.id, Enterprise.uscc).join(
        Enterprise, Enterprise.id == latest.c.enterprise_id
    )
    if search:  # the list's own search, so the export holds exactly the rows listed
        stmt = stmt.where(_matches(search))
    ids = [aid for aid, _uscc in session.execute(stmt.order_by(Enterprise.uscc))]
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        yield from _load(session, chunk, answers)
        session.expunge_all()  # keep memory flat over 100,000 rows
