"""The bureau's filters and the "latest assessment per enterprise in the period" set. No Flask."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, func, select

from assessment.core.enums import Review, Status
from assessment.services.models import Assessment, Enterprise


@dataclass(frozen=True)
class Filters:
    questionnaire_id: str
    version: str
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive; None = up to now
    industry: str | None = None
    town: str | None = None
    size_class: str | None = None
    include_demo: bool = False
    stage: str | None = None  # the stage/level of each enterprise's latest assessment
    # The versions counted together (`Registry.pooled`: `version` and those comparable with it);
    # empty means `version` alone. Part of every cache key, as the filters are.
    versions: tuple[str, ...] = ()
    # A town officer's scope: only enterprises now in these towns (None: the whole city).
    towns: frozenset[str] | None = None
    # Only submissions the bureau approved in a campaign review (each enterprise's latest of them).
    approved_only: bool = False

    def __post_init__(self) -> None:
        # One spelling per pool, so equal filters are equal cache keys: a pool of just `version`
        # is stored as ().
        if tuple(self.versions) == (self.version,):
            object.__setattr__(self, "versions", ())
        else:
            object.__setattr__(self, "versions", tuple(self.versions))

    @property
    def pool(self) -> tuple[str, ...]:
        """The questionnaire versions whose submissions these filters count."""
        return self.versions or (self.version,)

    def without_cohort(self) -> Filters:
        """The same period, questionnaire versions and stage for the whole city."""
        # `replace` keeps everything else, the officer's towns and the approved-only choice too.
        return replace(self, industry=None, town=None, size_class=None)

    @property
    def has_cohort(self) -> bool:
        """True when an industry, town or size filter is set."""
        return bool(self.industry or self.town or self.size_class)

    def to_dict(self) -> dict:
        """A JSON-ready form that `from_dict` turns back into the same filters."""
        return {**self.describe(), "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None, "include_demo": self.include_demo}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> Filters:
        """Filters stored by `to_dict`."""

        def when(value):
            return datetime.fromisoformat(value) if value else None

        return cls(data["questionnaire"], data["version"], when(data.get("start")),
                   when(data.get("end")), data.get("industry"), data.get("town"), data.get("size"),
                   bool(data.get("include_demo")), data.get("stage"),
                   tuple(data.get("versions") or ()),
                   frozenset(data["towns"]) if data.get("towns") is not None else None,
                   bool(data.get("approved_only")))  # fmt: skip

    def describe(self) -> dict:
        """The filter as plain values (for audit records and export metadata); the stage only
        when one is chosen and the pooled versions only when there are several, so records of
        other filters read as before."""
        described = {
            "questionnaire": self.questionnaire_id,
            "version": self.version,
            "start": self.start.date().isoformat() if self.start else None,
            "end": self.end.date().isoformat() if self.end else None,
            "industry": self.industry,
            "town": self.town,
            "size": self.size_class,
        }
        if len(self.pool) > 1:
            described["versions"] = list(self.pool)
        if self.towns is not None:
            described["towns"] = sorted(self.towns)
        if self.approved_only:
            described["approved_only"] = True
        return described | ({"stage": self.stage} if self.stage else {})


def submitted_conditions(filters: Filters) -> list:
    """Conditions for submitted assessments of the questionnaire (its pooled versions) in the
    period and cohort."""
    conditions = [
        Assessment.questionnaire_id == filters.questionnaire_id,
        Assessment.questionnaire_version.in_(filters.pool),
        Assessment.status == Status.SUBMITTED,
    ]
    if filters.start is not None:
        conditions.append(Assessment.submitted_at >= filters.start)
    if filters.end is not None:
        conditions.append(Assessment.submitted_at < filters.end)
    if not filters.include_demo:
        conditions.append(Assessment.is_demo.is_(False))
    if filters.industry:
        conditions.append(Assessment.industry == filters.industry)
    if filters.town:
        conditions.append(Assessment.town == filters.town)
    if filters.size_class:
        conditions.append(Assessment.size_class == filters.size_class)
    if filters.towns is not None:  # by the enterprise's town now: its officer's, wherever it was
        in_towns = select(Enterprise.id).where(Enterprise.town.in_(sorted(filters.towns)))
        conditions.append(Assessment.enterprise_id.in_(in_towns))
    if filters.approved_only:  # only campaign submissions are reviewed: their index narrows it
        conditions += [Assessment.campaign_id.is_not(None),
                       Assessment.review_status == Review.APPROVED]  # fmt: skip
    return conditions


def latest_set(filters: Filters):
    """A subquery of each enterprise's latest submitted assessment in the period (with a stage
    filter: only those whose latest assessment is at that stage — the latest is picked first,
    so an older assessment at the stage never stands in for a newer one at another).

    Up to now, the maintained `is_latest` flag answers it through an index; for a period that
    ends in the past, or approved submissions only (an enterprise's latest approved one need not
    be its latest), a window function picks the latest within the period.
    """
    columns = (
        Assessment.id, Assessment.enterprise_id, Assessment.total, Assessment.stage,
        Assessment.industry, Assessment.town, Assessment.size_class, Assessment.submitted_at,
    )  # fmt: skip
    conditions = submitted_conditions(filters)
    if filters.end is None and not filters.approved_only:
        if filters.stage is not None:
            conditions.append(Assessment.stage == filters.stage)
        return (
            select(*columns).where(Assessment.is_latest.is_(True), *conditions).subquery("latest")
        )
    ranked = (
        select(
            *columns,
            func.row_number()
            .over(
                partition_by=Assessment.enterprise_id,
                order_by=(Assessment.submitted_at.desc(), Assessment.id.desc()),
            )
            .label("rn"),
        )
        .where(and_(*conditions))
        .subquery("ranked")
    )
    picked = select(*(ranked.c[c.key] for c in columns)).where(ranked.c.rn == 1)
    if filters.stage is not None:
        picked = picked.where(ranked.c.stage == filters.stage)
    return picked.subquery("latest")


def month_key(dialect: str, column):
    """SQL for the "2026-11" month of a timestamp column."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)
