"""Per-question point sums over the latest assessments, kept in step by every submit. No Flask.

The bureau's "weakest indicators" asks, for each question, what share of the attainable points
the latest assessments won. Answered from `question_score` that is a join over millions of rows
(~0.9 s at 100,000 assessments); answered from `indicator_total` it sums a few thousand. The table
holds one row per (questionnaire version, cohort, demo flag, month of submission, question) for the
city and for each industry, town and size class on its own; filters that combine several cohort
attributes, or a period that ends in the past, still aggregate `question_score` directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, delete, func, literal, or_, select
from sqlalchemy.orm import Session

from assessment.services.bureau_filters import Filters, month_key
from assessment.services.models import Assessment, IndicatorTotal, QuestionScore
from assessment.services.upsert import insert_for

CITY = "city"
COHORT_COLUMNS = ("industry", "town", "size_class")


def month_of(when: datetime) -> str:
    """The month key of a submission time ("2026-11")."""
    return when.strftime("%Y-%m")


KEY_COLUMNS = ("questionnaire_id", "questionnaire_version", "cohort", "cohort_value", "is_demo",
               "month", "question_id")  # fmt: skip


class Totals:
    """Point sums being added up (or moved) before they are written in one upsert.

    Sums are kept per (assessment attributes, question) first and spread over the four cohorts
    only when written, so a seed of millions of scores does one dict update per score.
    """

    def __init__(self) -> None:
        self._sums: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, 0])

    def add(self, assessment, scores: Iterable[tuple[str, float, float]], sign: int = 1) -> None:
        """Add (sign=+1) or remove (-1) the (question id, points, max points) of one latest
        assessment; `assessment` needs the cohort snapshot and `submitted_at`."""
        cell = (assessment.questionnaire_id, assessment.questionnaire_version,
                assessment.industry or "", assessment.town or "", assessment.size_class or "",
                bool(assessment.is_demo), month_of(assessment.submitted_at))  # fmt: skip
        for question_id, points, max_points in scores:
            if max_points > 0:
                total = self._sums[(cell, question_id)]
                total[0] += sign * points
                total[1] += sign * max_points
                total[2] += sign

    def rows(self) -> list[dict]:
        """The sums as `indicator_total` rows (city and each cohort attribute), in key order."""
        spread: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, 0])
        for (cell, question_id), (points, max_points, n) in self._sums.items():
            qid, version, industry, town, size_class, is_demo, month = cell
            for cohort, value in ((CITY, ""), ("industry", industry), ("town", town),
                                  ("size_class", size_class)):  # fmt: skip
                total = spread[(qid, version, cohort, value, is_demo, month, question_id)]
                total[0] += points
                total[1] += max_points
                total[2] += n
        return [
            {**dict(zip(KEY_COLUMNS, key, strict=True)), "points": p, "max_points": m, "n": n}
            for key, (p, m, n) in sorted(spread.items())
            if n or p or m
        ]

    def write(self, session: Session) -> None:
        """Upsert the sums into `indicator_total` (adding to what is there)."""
        rows = self.rows()
        if not rows:
            return
        statement = insert_for(session)(IndicatorTotal.__table__)
        excluded = statement.excluded
        table = IndicatorTotal.__table__.c
        upsert = statement.on_conflict_do_update(
            index_elements=list(KEY_COLUMNS),
            set_={
                "points": table.points + excluded.points,
                "max_points": table.max_points + excluded.max_points,
                "n": table.n + excluded.n,
            },
        )
        session.connection().execute(upsert, rows)  # executemany, in key order


def record_submit(session: Session, new: Assessment, new_scores: Iterable[QuestionScore],
                  previous=None) -> None:  # fmt: skip
    """Move the totals from the enterprise's previous latest assessment (if any: a row with its
    id, questionnaire, version, cohort snapshot, demo flag and submission time) to `new`.

    Call inside the submit's transaction, after `new` has its cohort snapshot and submission
    time. The rows are written in key order, so concurrent submits lock them in the same order.
    """
    totals = Totals()
    if previous is not None:
        scores = select(QuestionScore.question_id, QuestionScore.points, QuestionScore.max_points)
        totals.add(previous, session.execute(
            scores.where(QuestionScore.assessment_id == previous.id)).all(), -1)  # fmt: skip
    totals.add(new, [(s.question_id, s.points, s.max_points) for s in new_scores])
    totals.write(session)
    if previous is not None:  # a cohort-month the previous assessment was alone in is now empty
        gone = [
            and_(IndicatorTotal.cohort == cohort, IndicatorTotal.cohort_value == (value or ""))
            for cohort, value in ((CITY, ""), ("industry", previous.industry),
                                  ("town", previous.town), ("size_class", previous.size_class))
        ]  # fmt: skip
        session.execute(
            delete(IndicatorTotal)
            .where(
                IndicatorTotal.questionnaire_id == previous.questionnaire_id,
                IndicatorTotal.questionnaire_version == previous.questionnaire_version,
                IndicatorTotal.is_demo == previous.is_demo,
                IndicatorTotal.month == month_of(previous.submitted_at),
                or_(*gone),
                IndicatorTotal.n <= 0,
            )
            .execution_options(synchronize_session=False)
        )


def rebuild(bind) -> None:
    """Recompute the whole table from `question_score` (after a restore or a repair; ~30 s at
    100,000 assessments on SQLite, whose GROUP BY sorts every score).

    `bind` is a Session or a Connection; the caller commits.
    """
    dialect = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    bind.execute(delete(IndicatorTotal))
    month = month_key(dialect, Assessment.submitted_at)
    for cohort in (CITY, *COHORT_COLUMNS):
        value = literal("") if cohort == CITY else func.coalesce(getattr(Assessment, cohort), "")
        keys = (Assessment.questionnaire_id, Assessment.questionnaire_version,
                literal(cohort), value, Assessment.is_demo, month, QuestionScore.question_id)  # fmt: skip
        grouped = [k for i, k in enumerate(keys) if i not in (2, 3)]  # constants cannot be grouped
        if cohort != CITY:
            grouped.append(value)
        source = (
            select(
                *keys,
                func.sum(QuestionScore.points),
                func.sum(QuestionScore.max_points),
                func.count(),
            )  # fmt: skip
            .join(QuestionScore, QuestionScore.assessment_id == Assessment.id)
            .where(Assessment.is_latest.is_(True), QuestionScore.max_points > 0)
            .group_by(*grouped)
        )
        columns = [c.name for c in IndicatorTotal.__table__.columns]
        bind.execute(IndicatorTotal.__table__.insert().from_select(columns, source))


def answers(filters: Filters) -> bool:
    """True when `filters` can be answered from the totals: a period up to now starting at a
    month boundary (or unbounded) and at most one cohort attribute; never for a town officer's
    scope or approved submissions only (the totals know neither)."""
    start = filters.start
    aligned = start is None or (start.day == 1 and start.time() == datetime.min.time())
    chosen = [c for c in (filters.industry, filters.town, filters.size_class) if c]
    plain = filters.towns is None and not filters.approved_only
    return filters.end is None and aligned and len(chosen) <= 1 and plain


def weakest(session: Session, filters: Filters, limit: int) -> list[tuple[str, float, int]]:
    """(question id, share of points won, assessments) of the `limit` weakest questions, lowest
    share first; only for filters that `answers` accepts."""
    if not answers(filters):
        raise ValueError("these filters need the question_score aggregate")
    cohort, value = CITY, ""
    for column, chosen in zip(COHORT_COLUMNS, (filters.industry, filters.town,
                                               filters.size_class), strict=True):  # fmt: skip
        if chosen:
            cohort, value = column, chosen
    conditions = [
        IndicatorTotal.questionnaire_id == filters.questionnaire_id,
        # Every pooled version's rows: summed per question id below.
        IndicatorTotal.questionnaire_version.in_(filters.pool),
        IndicatorTotal.cohort == cohort,
        IndicatorTotal.cohort_value == value,
    ]
    if not filters.include_demo:
        conditions.append(IndicatorTotal.is_demo.is_(False))
    if filters.start is not None:
        conditions.append(IndicatorTotal.month >= month_of(filters.start))
    share = func.sum(IndicatorTotal.points) / func.sum(IndicatorTotal.max_points)
    stmt = (
        select(IndicatorTotal.question_id, share, func.sum(IndicatorTotal.n))
        .where(*conditions)
        .group_by(IndicatorTotal.question_id)
        .having(func.sum(IndicatorTotal.n) > 0, func.sum(IndicatorTotal.max_points) > 0)
        .order_by(share, IndicatorTotal.question_id)
        .limit(limit)
    )
    return [(q, float(s), int(n)) for q, s, n in session.execute(stmt)]
