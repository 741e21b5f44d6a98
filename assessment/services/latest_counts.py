"""The latest assessments counted per filter scope, group and score, kept by every submit. No Flask.

The dashboard for the period up to now describes each enterprise's latest assessment: counts,
means, stage counts and exact medians, for everyone and per industry, town and size class. From
`assessment` that reads every latest assessment of the questionnaire; from `latest_point` it sums
at most one row per (group, stage, whole point) of the chosen scope, and `latest_value` gives the
exact totals inside the whole point that holds each median (at most 1,000 per group). A scope is the
filter's industry, town and size class, each chosen or not (8 scopes per assessment), so any
combination of the three is answered; a period with a start, a stage filter, a town officer's
scope or approved submissions only are not (`answers`), and aggregate the assessments
(`score_distribution.distributions`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import product

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.orm import Session

from assessment.services.bureau_filters import Filters
from assessment.services.models import Assessment, LatestPoint, LatestValue
from assessment.services.score_distribution import (
    ALL,
    GROUP_COLUMNS,
    GroupStats,
    locate,
    middle_ranks,
)
from assessment.services.submission_months import thousandths
from assessment.services.upsert import insert_for

POINT_KEY = ("questionnaire_id", "scope", "grouping", "group_value", "questionnaire_version",
             "is_demo", "stage", "point")  # fmt: skip
VALUE_KEY = ("questionnaire_id", "scope", "grouping", "group_value", "total_thousandths",
             "questionnaire_version", "is_demo")  # fmt: skip
BATCH = 5000


def scope_of(industry: str | None, town: str | None, size_class: str | None) -> str:
    """The scope key of a filter ("" for a part not chosen)."""
    return f"{industry or ''}|{town or ''}|{size_class or ''}"


class Counts:
    """Changes to both tables being added up before they are written in one upsert each."""

    def __init__(self) -> None:
        self.points: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        self.values: Counter = Counter()

    def add(self, row, sign: int = 1) -> None:
        """Count (sign=+1) or uncount (-1) one latest assessment: `row` has the questionnaire,
        version, demo flag, cohort snapshot, stage and total."""
        dims = (row.industry, row.town, row.size_class)
        h = thousandths(row.total)
        head = (row.questionnaire_id,)
        tail = (row.questionnaire_version, bool(row.is_demo))
        for chosen in product((False, True), repeat=3):
            if any(c and d is None for c, d in zip(chosen, dims, strict=True)):
                continue  # no filter asks for a missing attribute
            scope = scope_of(*(d if c else None for c, d in zip(chosen, dims, strict=True)))
            for grouping, value in zip(GROUP_COLUMNS, dims, strict=True):
                group = (*head, scope, grouping, value or "")
                point = self.points[(*group, *tail, row.stage, h // 1000)]
                point[0] += sign
                point[1] += sign * h
                self.values[(*group, h, *tail)] += sign

    def write(self, session) -> None:
        """Upsert the changes (adding to what is there), each table in key order so concurrent
        submits lock the rows in the same order. `session` is a Session or a Connection."""
        points = [{**dict(zip(POINT_KEY, k, strict=True)), "n": n, "total_thousandths": h}
                  for k, (n, h) in sorted(self.points.items()) if n or h]  # fmt: skip
        values = [{**dict(zip(VALUE_KEY, k, strict=True)), "n": n}
                  for k, n in sorted(self.values.items()) if n]  # fmt: skip
        insert = insert_for(session)
        for table, rows, keys in (
            (LatestPoint, points, POINT_KEY),
            (LatestValue, values, VALUE_KEY),
        ):
            statement = insert(table.__table__)
            sums = {c: table.__table__.c[c] + statement.excluded[c]
                    for c in ("n", "total_thousandths") if c not in keys}  # fmt: skip
            upsert = statement.on_conflict_do_update(index_elements=list(keys), set_=sums)
            for start in range(0, len(rows), BATCH):
                session.execute(upsert, rows[start : start + BATCH])


LATEST_COLUMNS = (Assessment.questionnaire_id, Assessment.questionnaire_version,
                  Assessment.is_demo, Assessment.industry, Assessment.town,
                  Assessment.size_class, Assessment.stage, Assessment.total)  # fmt: skip


def record_submit(session: Session, new: Assessment, previous=None) -> None:
    """Move the enterprise's counts from its previous latest assessment (a row with its id, if
    any) to `new`; call inside the submit's transaction, after `new` has its total, stage and
    cohort snapshot."""
    counts = Counts()
    if previous is not None:
        old = session.execute(select(*LATEST_COLUMNS).where(Assessment.id == previous.id)).one()
        counts.add(old, -1)
    counts.add(new)
    counts.write(session)


THOUSANDTHS = "CAST(ROUND(total * 1000) AS BIGINT)"


def _rebuild_sql(table: str) -> str:
    """One INSERT … SELECT of every count `Counts.add` keeps, for `table`: per scope (the 8
    choices of industry, town and size) and grouping, one GROUP BY over the latest assessments."""
    parts = []
    for chosen in product((False, True), repeat=3):
        fixed = [c for c, pick in zip(GROUP_COLUMNS, chosen, strict=True) if pick]
        scope = " || '|' || ".join(c if c in fixed else "''" for c in GROUP_COLUMNS)
        present = "".join(f" AND {c} IS NOT NULL" for c in fixed)
        for grouping in GROUP_COLUMNS:
            keys = ", ".join(dict.fromkeys([*fixed, grouping]))
            score = (f"stage, {THOUSANDTHS} / 1000, COUNT(*), SUM({THOUSANDTHS})"
                     if table == "latest_point" else f"{THOUSANDTHS}, COUNT(*)")  # fmt: skip
            by = f"stage, {THOUSANDTHS} / 1000" if table == "latest_point" else THOUSANDTHS
            parts.append(
                f"SELECT questionnaire_id, {scope}, '{grouping}', COALESCE({grouping}, ''), "
                f"questionnaire_version, is_demo, {score} FROM assessment "
                f"WHERE is_latest AND total IS NOT NULL{present} "
                f"GROUP BY questionnaire_id, {keys}, questionnaire_version, is_demo, {by}"
            )
    selected = ("questionnaire_id", "scope", "grouping", "group_value", "questionnaire_version",
                "is_demo")  # fmt: skip
    scores = ("stage", "point", "n", "total_thousandths") if table == "latest_point" else (
        "total_thousandths", "n")  # fmt: skip
    columns = selected + scores
    return f"INSERT INTO {table} ({', '.join(columns)}) " + " UNION ALL ".join(parts)


def rebuild(bind) -> None:
    """Recompute both tables from the latest assessments (after a seed, a restore or a repair),
    in one statement each. `bind` is a Session or a Connection; the caller commits."""
    for table in (LatestPoint, LatestValue):
        bind.execute(delete(table))
        bind.execute(text(_rebuild_sql(table.__tablename__)))


def answers(filters: Filters) -> bool:
    """True when the tables can answer `filters`: the period up to now from the beginning, no
    stage filter, no town officer's scope, all submissions (not approved ones only)."""
    return (filters.end is None and filters.start is None and filters.stage is None
            and filters.towns is None and not filters.approved_only)  # fmt: skip


def _conditions(table, filters: Filters) -> list:
    found = [
        table.questionnaire_id == filters.questionnaire_id,
        table.scope == scope_of(filters.industry, filters.town, filters.size_class),
        table.questionnaire_version.in_(filters.pool),
    ]
    if not filters.include_demo:
        found.append(table.is_demo.is_(False))
    return found


def distributions(session: Session, filters: Filters) -> dict[str | None, dict]:
    """What `score_distribution.distributions` gives for the latest set of `filters` (only for
    filters the tables `answers`): per grouping column, group value → GroupStats with exact
    medians, and ALL for everyone."""
    if not answers(filters):
        raise ValueError("these filters need the assessments themselves")
    t = LatestPoint
    stmt = (
        select(t.grouping, t.group_value, t.stage, t.point, func.sum(t.n),
               func.sum(t.total_thousandths))
        .where(*_conditions(t, filters))
        .group_by(t.grouping, t.group_value, t.stage, t.point)
    )  # fmt: skip
    result: dict[str | None, dict] = {c: {} for c in GROUP_COLUMNS}
    for grouping, value, stage, point, n, h in session.execute(stmt):
        if not n:
            continue
        stats = result[grouping].setdefault(value or None, GroupStats())
        stats.n += int(n)
        stats.sum += int(h) / 1000
        stats.stages[stage] += int(n)
        stats.buckets[int(point)] += int(n)
    everyone = GroupStats()
    for stats in result[GROUP_COLUMNS[-1]].values():  # every assessment is in one size group
        everyone.n += stats.n
        everyone.sum += stats.sum
        everyone.stages.update(stats.stages)
        everyone.buckets.update(stats.buckets)
    result[ALL] = {ALL: everyone} if everyone.n else {}
    _fill_medians(session, filters, result)
    return result


def _fill_medians(session: Session, filters: Filters, result: dict) -> None:
    """Each group's exact median, from the totals inside the whole points holding its middle
    ranks (everyone's: summed over the size groups)."""
    wanted = {(c, v): [locate(s.buckets, r) for r in middle_ranks(s.n)]
              for c, groups in result.items() for v, s in groups.items()}  # fmt: skip
    if not wanted:
        return
    t = LatestValue
    asked = []
    sizes = list(result[GROUP_COLUMNS[-1]])
    for (column, value), places in wanted.items():
        groups = (
            [(GROUP_COLUMNS[-1], size) for size in sizes] if column is ALL else [(column, value)]
        )
        for (grouping, group), bucket in product(groups, {b for b, _ in places}):
            # Each term one range of the key: questionnaire, scope, group, the point's totals.
            asked.append(and_(*_conditions(t, filters)[:2], t.grouping == grouping,
                              t.group_value == (group or ""),
                              t.total_thousandths.between(bucket * 1000, bucket * 1000 + 999)))  # fmt: skip
    stmt = (
        select(t.grouping, t.group_value, t.total_thousandths, func.sum(t.n))
        .where(*_conditions(t, filters), or_(*asked))
        .group_by(t.grouping, t.group_value, t.total_thousandths)
    )
    found: dict[tuple, Counter] = defaultdict(Counter)  # (column, value, bucket) → h → count
    for grouping, value, h, n in session.execute(stmt):
        found[(grouping, value or None, h // 1000)][h] += int(n)
        if grouping == GROUP_COLUMNS[-1]:
            found[(ALL, ALL, h // 1000)][h] += int(n)
    for (column, value), places in wanted.items():
        middle = [_nth(found[(column, value, b)], position) / 1000 for b, position in places]
        result[column][value].median = float(sum(middle) / 2)


def _nth(counts: Counter, position: int) -> int:
    """The `position`-th (0-based) smallest value of a multiset given as value → count."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen > position:
            return value
    raise ValueError("position beyond the count")
