"""Score histograms per cohort, kept in step by every submit. No Flask.

The result page compares an assessment with its cohorts (`services/benchmarks.py`). Computed from
the raw rows that is one aggregate over every latest assessment of the cohort, ~0.5 s at 100,000
assessments and linear in the data. From these tables it is a sum over at most ~101 bins × metrics
× months, then the exact scores of a few bins (`core/binned.py`), whatever the size of the city.

`score_bin`, `score_count` and `stage_count` (`models/histogram.py`) hold, per questionnaire
version, demo flag, month of submission and cohort, how many latest assessments score in each
whole-point bin (with the sum of their scores), have each exact score, and reached each stage.
`record_submit` moves the enterprise's previous latest assessment out and the new one in, inside
the submit's transaction; `rebuild` recomputes all three from the raw rows (after a seed, a restore
or a repair: they are derived data and are never carried in a backup).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Integer, and_, bindparam, cast, delete, func, literal, select
from sqlalchemy.orm import Session

from assessment.core.binned import UNITS
from assessment.core.cohorts import TOTAL
from assessment.services.bureau_filters import month_key
from assessment.services.indicator_totals import month_of
from assessment.services.models import Assessment, DimensionScore, ScoreBin, ScoreCount, StageCount
from assessment.services.upsert import insert_for

KEY = ("questionnaire_id", "cohort", "cohort_value")
TAIL = ("questionnaire_version", "is_demo", "month")
BIN_KEY = (*KEY, "metric", "bin", *TAIL)
COUNT_KEY = (*KEY, "metric", "bin", "score", *TAIL)
STAGE_KEY = (*KEY, "stage", *TAIL)
SEPARATOR = "/"  # between industry and size class in an industry_size cohort's value


def units(score: float) -> int:
    """A stored score as an exact integer number of thousandths (`core/binned.UNITS`)."""
    return round(score * UNITS)


def cells(industry: str | None, town: str | None, size_class: str | None) -> list[tuple[str, str]]:
    """The (cohort kind, value) pairs an assessment with these attributes counts in: the city and,
    for each attribute it has, the cohorts of `core/cohorts.COHORT_KINDS`."""
    out = [("city", "")]
    if industry is not None:
        out.append(("industry", industry))
    if town is not None:
        out.append(("town", town))
    if size_class is not None:
        out.append(("size", size_class))
    if industry is not None and size_class is not None:
        out.append(("industry_size", f"{industry}{SEPARATOR}{size_class}"))
    return out


class Counts:
    """Histogram changes being added up before they are written in one upsert per table."""

    def __init__(self) -> None:
        self.bins: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        self.counts: dict[tuple, int] = defaultdict(int)
        self.stages: dict[tuple, int] = defaultdict(int)

    def add(self, assessment, scores: Iterable[tuple[str, float]], sign: int = 1) -> None:
        """Add (sign=+1) or remove (-1) one latest assessment: `assessment` has the cohort
        snapshot, demo flag, version, submission time and stage; `scores` are its (metric,
        score) pairs, the total included."""
        tail = (assessment.questionnaire_version, bool(assessment.is_demo),
                month_of(assessment.submitted_at))  # fmt: skip
        for kind, value in cells(assessment.industry, assessment.town, assessment.size_class):
            head = (assessment.questionnaire_id, kind, value)
            for metric, score in scores:
                h = units(score)
                cell = self.bins[(*head, metric, h // UNITS, *tail)]
                cell[0] += sign
                cell[1] += sign * h
                self.counts[(*head, metric, h // UNITS, h, *tail)] += sign
            self.stages[(*head, assessment.stage, *tail)] += sign

    def write(self, session: Session) -> None:
        """Upsert the changes (adding to what is there), each table's rows in key order so that
        concurrent submits lock them in the same order and never deadlock."""
        insert = insert_for(session)
        for model, keys, changes in (
            (ScoreBin, BIN_KEY, {k: {"n": v[0], "score_sum": v[1]} for k, v in self.bins.items()}),
            (ScoreCount, COUNT_KEY, {k: {"n": v} for k, v in self.counts.items()}),
            (StageCount, STAGE_KEY, {k: {"n": v} for k, v in self.stages.items()}),
        ):
            rows = [
                {**dict(zip(keys, key, strict=True)), **values}
                for key, values in sorted(changes.items())
                if any(values.values())  # +1 and -1 on the same row: nothing to write
            ]
            if not rows:
                continue
            statement = insert(model.__table__)
            column = model.__table__.c
            statement = statement.on_conflict_do_update(
                index_elements=list(keys),
                set_={
                    name: column[name] + statement.excluded[name]
                    for name in rows[0]
                    if name not in keys
                },  # fmt: skip
            )
            session.connection().execute(statement, rows)  # executemany, in key order
            emptied = [{k: row[k] for k in keys} for row in rows if row["n"] < 0]
            if emptied:  # rows the previous assessment was alone in: gone, as after a rebuild
                table = model.__table__
                gone = delete(table).where(
                    *(table.c[k] == bindparam(k) for k in keys), table.c.n <= 0
                )
                session.connection().execute(gone, emptied)  # rows this transaction holds


def record_submit(session: Session, new: Assessment, dimension_scores: Iterable[DimensionScore],
                  previous=None) -> None:  # fmt: skip
    """Move the histograms from the enterprise's previous latest assessment (if any: a row with
    its id, questionnaire, version, cohort snapshot, demo flag, submission time, total and stage)
    to `new`, inside the submit's transaction (after `new` has its scores and cohort snapshot)."""
    counts = Counts()
    if previous is not None:
        dimensions = session.execute(
            select(DimensionScore.dimension_id, DimensionScore.score).where(
                DimensionScore.assessment_id == previous.id
            )
        ).all()
        counts.add(previous, [(TOTAL, previous.total), *dimensions], -1)
    scores = [(d.dimension_id, d.score) for d in dimension_scores if d.score is not None]
    counts.add(new, [(TOTAL, new.total), *scores])
    counts.write(session)


def _cohort_value(kind: str):
    """SQL for an assessment's value in a cohort kind, and the condition for having one."""
    a = Assessment
    if kind == "city":
        return literal(""), None
    if kind == "industry_size":
        value = a.industry + SEPARATOR + a.size_class
        return value, and_(a.industry.is_not(None), a.size_class.is_not(None))
    column = {"industry": a.industry, "town": a.town, "size": a.size_class}[kind]
    return column, column.is_not(None)


def _units_sql(column):
    return cast(func.round(column * UNITS), Integer)


def _score_selects(head: tuple, tail: tuple, where: list, grouped: list) -> list:
    """SELECTs of one cohort kind's `score_count` rows: the totals, then the dimensions."""
    a = Assessment
    total, dimension = _units_sql(a.total), _units_sql(DimensionScore.score)
    totals = (
        select(*head, literal(TOTAL), total // UNITS, total, *tail, func.count())
        .where(*where)
        .group_by(*grouped, total)
    )
    dimensions = (
        select(*head, DimensionScore.dimension_id, dimension // UNITS, dimension, *tail,
               func.count())
        .join_from(a, DimensionScore, DimensionScore.assessment_id == a.id)
        .where(*where)
        .group_by(*grouped, DimensionScore.dimension_id, dimension)
    )  # fmt: skip
    return [totals, dimensions]


def rebuild(bind) -> None:
    """Recompute the three tables from the latest assessments: a few INSERT … SELECT statements
    (no row passes through Python), so it stays fast at a million assessments. `bind` is a
    Session or a Connection; the caller commits (and bumps the generations)."""
    dialect = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    for model in (ScoreBin, ScoreCount, StageCount):
        bind.execute(delete(model))
    a, month = Assessment, month_key(dialect, Assessment.submitted_at)
    for kind in ("city", "industry", "town", "size", "industry_size"):
        value, has_value = _cohort_value(kind)
        where = [a.is_latest.is_(True)] + ([has_value] if has_value is not None else [])
        # A constant cannot be grouped by on PostgreSQL: the city's value is not grouped.
        grouped = ([] if kind == "city" else [value]) + [
            a.questionnaire_id, a.questionnaire_version, a.is_demo, month]  # fmt: skip
        head = (a.questionnaire_id, literal(kind), value)
        tail = (a.questionnaire_version, a.is_demo, month)
        for stmt in _score_selects(head, tail, where, grouped):
            bind.execute(ScoreCount.__table__.insert().from_select([*COUNT_KEY, "n"], stmt))
        stages = (
            select(*head, a.stage, *tail, func.count()).where(*where).group_by(*grouped, a.stage)
        )
        bind.execute(StageCount.__table__.insert().from_select([*STAGE_KEY, "n"], stages))
    # The bins from the exact counts: far fewer rows than the raw scores.
    c = ScoreCount.__table__.c
    bins = select(*(c[k] for k in BIN_KEY), func.sum(c.n), func.sum(c.n * c.score)).group_by(
        *(c[k] for k in BIN_KEY)
    )
    bind.execute(ScoreBin.__table__.insert().from_select([*BIN_KEY, "n", "score_sum"], bins))


def cell_of(cohort) -> tuple[str, str] | None:
    """The (kind, value) whose rows hold a `core/cohorts.Cohort`: the attributes it names decide
    the kind, as they decide the raw-row filter (`Cohort.of` leaves out an attribute the
    enterprise lacks). None for a combination the tables do not keep."""
    named = {"industry": cohort.industry, "town": cohort.town, "size": cohort.size_class}
    kind = "_".join(k for k, v in named.items() if v is not None) or "city"
    found = [c for c in cells(cohort.industry, cohort.town, cohort.size_class) if c[0] == kind]
    return found[0] if found else None


class Reader:
    """The rows of one cohort over a window: the pooled versions, from a month on, demo rows or
    not."""

    def __init__(self, session: Session, questionnaire_id: str, versions: tuple[str, ...],
                 cell: tuple[str, str], since_month: str, include_demo: bool):  # fmt: skip
        self.session = session
        self._head = (questionnaire_id, *cell)
        self._versions, self._month, self._demo = versions, since_month, include_demo

    def _where(self, model) -> list:
        conditions = [
            model.questionnaire_id == self._head[0],
            model.cohort == self._head[1],
            model.cohort_value == self._head[2],
            model.questionnaire_version.in_(self._versions),
            model.month >= self._month,
        ]
        if not self._demo:
            conditions.append(model.is_demo.is_(False))
        return conditions

    def bins(self) -> dict[str, list[tuple[int, int, int]]]:
        """Per metric, the non-empty bins ascending: (bin, count, sum of the scores in thousandths)."""
        m = ScoreBin
        stmt = (
            select(m.metric, m.bin, func.sum(m.n), func.sum(m.score_sum))
            .where(*self._where(m))
            .group_by(m.metric, m.bin)
            .having(func.sum(m.n) > 0)
            .order_by(m.metric, m.bin)
        )
        out: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for metric, bin_, n, total in self.session.execute(stmt):
            out[metric].append((int(bin_), int(n), int(total)))
        return dict(out)

    def scores(self, wanted: Iterable[tuple[str, int]]) -> dict[str, dict[int, list]]:
        """Per metric and bin, the (thousandths, count) pairs of the wanted (metric, bin)s."""
        m, wanted = ScoreCount, sorted(set(wanted))
        out: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for metric, bin_ in wanted:  # a wanted bin with no scores left stays known as empty
            out[metric][bin_] = []
        if not wanted:
            return out
        # Two IN lists rather than a list of pairs: both databases seek the key for each
        # combination (a few extra bins are read and dropped below).
        metrics, bins = sorted({p[0] for p in wanted}), sorted({p[1] for p in wanted})
        stmt = (
            select(m.metric, m.bin, m.score, func.sum(m.n))
            .where(*self._where(m), m.metric.in_(metrics), m.bin.in_(bins))
            .group_by(m.metric, m.bin, m.score)
            .having(func.sum(m.n) > 0)
        )
        pairs = set(wanted)
        for metric, bin_, score, n in self.session.execute(stmt):
            if (metric, int(bin_)) in pairs:
                out[metric][int(bin_)].append((int(score), int(n)))
        return out

    def stages(self) -> dict[str, int]:
        """How many reached each stage."""
        m = StageCount
        stmt = (
            select(m.stage, func.sum(m.n))
            .where(*self._where(m))
            .group_by(m.stage)
            .having(func.sum(m.n) > 0)
        )
        return {stage: int(n) for stage, n in self.session.execute(stmt)}
