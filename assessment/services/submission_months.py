"""Submissions per month, stage and cohort, kept in step by every submit. No Flask.

The dashboard's quarterly trend counts every submission (re-submits too) of the period, and the
mean of their totals, per quarter and stage. Aggregated from `assessment` that reads every
submission of the questionnaire (linear in the data); from `submission_month` it sums at most
one row per (pooled version, month, stage) of one cohort. The table holds the city and each
industry, town and size class on its own (as `indicator_total` does); filters that it cannot
answer (see `answers`) aggregate the submissions themselves, as `from_rows` does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, cast, delete, func, literal, select
from sqlalchemy.orm import Session

from assessment.core.enums import Status
from assessment.services.bureau_filters import Filters, month_key, submitted_conditions
from assessment.services.indicator_totals import CITY, COHORT_COLUMNS, month_of
from assessment.services.models import Assessment, SubmissionMonth
from assessment.services.upsert import insert_for

KEY_COLUMNS = ("questionnaire_id", "cohort", "cohort_value", "questionnaire_version", "is_demo",
               "month", "stage")  # fmt: skip

# (month "2026-11", stage, submissions, sum of their totals)
MonthRow = tuple[str, str, int, float]


def thousandths(total: float) -> int:
    """A total (at most 3 decimals: MIIT's exact points) as an exact integer of thousandths."""
    return round(total * 1000)


def record_submit(session: Session, assessment: Assessment) -> None:
    """Count one submission (after its total, stage, cohort snapshot and submission time are
    set) in the city and each of its cohorts; call inside the submit's transaction. The rows are
    written in key order, so concurrent submits lock them in the same order."""
    rows = [
        {"questionnaire_id": assessment.questionnaire_id, "cohort": cohort,
         "cohort_value": value or "", "questionnaire_version": assessment.questionnaire_version,
         "is_demo": bool(assessment.is_demo), "month": month_of(assessment.submitted_at),
         "stage": assessment.stage, "n": 1, "total_thousandths": thousandths(assessment.total)}
        for cohort, value in ((CITY, ""), ("industry", assessment.industry),
                              ("town", assessment.town), ("size_class", assessment.size_class))
    ]  # fmt: skip
    rows.sort(key=lambda row: tuple(row[c] for c in KEY_COLUMNS))
    statement = insert_for(session)(SubmissionMonth.__table__)
    table = SubmissionMonth.__table__.c
    upsert = statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={"n": table.n + 1,
              "total_thousandths": table.total_thousandths + statement.excluded.total_thousandths},
    )  # fmt: skip
    session.connection().execute(upsert, rows)


def rebuild(bind) -> None:
    """Recompute the whole table from the submitted assessments (after a seed, a restore or a
    repair). `bind` is a Session or a Connection; the caller commits."""
    dialect = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    bind.execute(delete(SubmissionMonth))
    month = month_key(dialect, Assessment.submitted_at)
    total = func.sum(cast(func.round(Assessment.total * 1000), BigInteger))
    for cohort in (CITY, *COHORT_COLUMNS):
        value = literal("") if cohort == CITY else func.coalesce(getattr(Assessment, cohort), "")
        keys = (Assessment.questionnaire_id, literal(cohort), value,
                Assessment.questionnaire_version, Assessment.is_demo, month, Assessment.stage)  # fmt: skip
        grouped = [k for i, k in enumerate(keys) if i not in (1, 2)]  # constants cannot be grouped
        if cohort != CITY:
            grouped.append(value)
        source = (
            select(*keys, func.count(), total)
            .where(Assessment.status == Status.SUBMITTED)
            .group_by(*grouped)
        )
        columns = [c.name for c in SubmissionMonth.__table__.columns]
        bind.execute(SubmissionMonth.__table__.insert().from_select(columns, source))


def _month_start(when: datetime | None) -> bool:
    return when is None or (when.day == 1 and when.time() == datetime.min.time())


def answers(filters: Filters) -> bool:
    """True when the table can answer `filters`: a period from and to month boundaries (or
    unbounded) and at most one cohort attribute. Never with a stage filter (the stage of each
    enterprise's latest assessment, not of each submission), a town officer's scope (the
    enterprises' towns now) or approved submissions only: those count the submissions."""
    chosen = [c for c in (filters.industry, filters.town, filters.size_class) if c]
    plain = filters.stage is None and filters.towns is None and not filters.approved_only
    aligned = _month_start(filters.start) and _month_start(filters.end)
    return plain and aligned and len(chosen) <= 1


def monthly(session: Session, filters: Filters) -> list[MonthRow]:
    """Submissions and the sum of their totals per month and stage for `filters`: from the
    table when it `answers` them, else from the submissions (`from_rows`)."""
    if not answers(filters):
        return from_rows(session, filters)
    cohort, value = CITY, ""
    for column, chosen in zip(COHORT_COLUMNS, (filters.industry, filters.town,
                                               filters.size_class), strict=True):  # fmt: skip
        if chosen:
            cohort, value = column, chosen
    table = SubmissionMonth
    conditions = [
        table.questionnaire_id == filters.questionnaire_id,
        table.cohort == cohort,
        table.cohort_value == value,
        table.questionnaire_version.in_(filters.pool),
    ]
    if not filters.include_demo:
        conditions.append(table.is_demo.is_(False))
    if filters.start is not None:
        conditions.append(table.month >= month_of(filters.start))
    if filters.end is not None:  # exclusive, and a month boundary
        conditions.append(table.month < month_of(filters.end))
    stmt = (
        select(table.month, table.stage, func.sum(table.n), func.sum(table.total_thousandths))
        .where(*conditions)
        .group_by(table.month, table.stage)
        .having(func.sum(table.n) > 0)
    )
    return [(m, s, int(n), int(h) / 1000) for m, s, n, h in session.execute(stmt)]


def from_rows(session: Session, filters: Filters) -> list[MonthRow]:
    """`monthly` aggregated from the submissions themselves (any filters; the reference)."""
    month = month_key(session.get_bind().dialect.name, Assessment.submitted_at)
    stmt = (
        select(month, Assessment.stage, func.count(), func.sum(Assessment.total))
        .where(*submitted_conditions(filters))
        .group_by(month, Assessment.stage)
    )
    return [(m, s, int(n), float(t or 0)) for m, s, n, t in session.execute(stmt)]
