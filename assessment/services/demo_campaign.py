"""The demo campaign `seed-demo` adds, so a newcomer sees the whole workflow after `make run`: a
running campaign whose targets stand at every step (not registered, registered, started,
submitted), with the demo enterprise among them. No Flask.

`demo_review_submissions` is where the review part adds flagged and returned submissions.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.core.enterprise import industries, towns
from assessment.core.enums import Review, Status
from assessment.core.questionnaire.registry import Registry
from assessment.core.uscc import random_uscc
from assessment.services.campaigns import new_invite_code
from assessment.services.demo_review import review_demo_submissions
from assessment.services.models import Assessment, Campaign, CampaignTarget, Enterprise, utcnow

DEMO_CAMPAIGN_NAME = "2025年度规上工业企业数字化水平评测（演示）"
DEMO_DESCRIPTION = (
    "请列入名单的企业在截止日期前完成《中小企业数字化水平评测指标（2024年版）》自评估。"
    "结果用于全市数字化转型政策的制定，企业的具体答案仅本企业可见。\n"
    "如有疑问，请联系所在镇街经发办。"
)
STARTED_DAYS_AGO = 75
ENDS_IN_DAYS = 45
TARGETS_REGISTERED = 60  # of the seeded enterprises (those that submitted in the window first)
DRAFT_SHARE = 0.25  # of the registered ones that have not submitted: started, not submitted
UNREGISTERED_SHARE = 0.3  # targets that have not registered, on top of the registered ones


def _questionnaire_id(registry: Registry) -> str:
    return "miit" if registry.get("miit") is not None else registry.current()[0].id


def _target(campaign: Campaign, ent: dict, now: datetime, n: int) -> dict:
    return {
        "campaign_id": campaign.id, "uscc": ent["uscc"], "name": ent["name"], "town": ent["town"],
        "industry": ent["industry"], "size_class": ent.get("size_class"),
        "employees": ent.get("employees"), "revenue_wan": ent.get("revenue_wan"),
        "contact_name": ent.get("contact_name") or "演示联系人",
        "contact_phone": ent.get("contact_phone") or "", "contact_email": f"contact{n}@demo.cixi.example",
        "invite_code": new_invite_code(), "enterprise_id": ent.get("id"), "created_at": now,
        "updated_at": now,
    }  # fmt: skip


def _unregistered(rng: random.Random, count: int, taken: set[str]) -> list[dict]:
    town_list, industry_list = towns(), industries()
    rows = []
    for n in range(count):
        code = random_uscc(rng)
        while code in taken:
            code = random_uscc(rng)
        taken.add(code)
        town = rng.choices(town_list, [t.demo_weight for t in town_list])[0]
        industry = rng.choices(industry_list, [i.demo_weight for i in industry_list])[0]
        rows.append({"uscc": code, "name": f"慈溪市未注册示例企业{n + 1}有限公司（演示）",
                     "town": town.code, "industry": industry.code,
                     "contact_phone": f"0574-6399{rng.randint(0, 9999):04d}"})  # fmt: skip
    return rows


def _submitted_in_window(session: Session, ids: list[int], qid: str, since: datetime) -> set[int]:
    stmt = select(Assessment.enterprise_id).where(
        Assessment.enterprise_id.in_(ids), Assessment.questionnaire_id == qid,
        Assessment.status == Status.SUBMITTED, Assessment.submitted_at >= since,
    )  # fmt: skip
    return set(session.scalars(stmt))


def seed_demo_campaign(
    session: Session, registry: Registry, enterprises: list[dict], seed: int
) -> Campaign | None:
    """Add the demo campaign over `enterprises` (the seeded rows, the demo login's first) and
    commit; None when there are none."""
    if not enterprises:
        return None
    rng, now = random.Random(f"{seed}:campaign"), utcnow()
    qid = _questionnaire_id(registry)
    campaign = Campaign(name=DEMO_CAMPAIGN_NAME, description=DEMO_DESCRIPTION,
                        questionnaire_ids=[qid], is_demo=True,
                        starts_on=(now - timedelta(days=STARTED_DAYS_AGO)).date(),
                        ends_on=(now + timedelta(days=ENDS_IN_DAYS)).date())  # fmt: skip
    session.add(campaign)
    session.flush()
    since = datetime.combine(campaign.starts_on, datetime.min.time())
    submitted = _submitted_in_window(session, [e["id"] for e in enterprises], qid, since)
    others = [e for e in enterprises[1:] if e["id"] not in submitted]
    # The demo login's enterprise first, once (it may have submitted in the window too).
    chosen = [enterprises[0]] + [e for e in enterprises[1:] if e["id"] in submitted]
    chosen += rng.sample(others, min(len(others), max(0, TARGETS_REGISTERED - len(chosen))))
    taken = set(session.scalars(select(Enterprise.uscc)))
    loose = _unregistered(rng, max(5, round(len(chosen) * UNREGISTERED_SHARE)), taken)
    rows = [_target(campaign, e, now, n) for n, e in enumerate(chosen + loose, start=1)]
    session.execute(CampaignTarget.__table__.insert(), rows)
    waiting = [e["id"] for e in chosen[1:] if e["id"] not in submitted]
    drafted = rng.sample(waiting, round(len(waiting) * DRAFT_SHARE))
    for enterprise_id in drafted:
        session.add(Assessment(enterprise_id=enterprise_id, questionnaire_id=qid,
                               questionnaire_version=registry.get(qid).version, is_demo=True,
                               status=Status.DRAFT, answers={}, current_page=0,
                               created_at=now - timedelta(days=rng.uniform(1, 40)),
                               updated_at=now - timedelta(days=rng.uniform(0, 1))))  # fmt: skip
    demo_review_submissions(session, campaign, sorted(submitted), rng, registry,
                            enterprises[0]["id"])  # fmt: skip
    session.commit()
    return campaign


def demo_review_submissions(
    session: Session, campaign: Campaign, enterprise_ids: list[int], rng: random.Random,
    registry: Registry | None = None, demo_enterprise_id: int | None = None,
) -> None:  # fmt: skip
    """The campaign's submissions in the demo: tagged with the campaign and waiting for review.

    With the registry, `demo_review.review_demo_submissions` then flags them (plausibility
    checks), approves some and returns some with a note, so the review queue and the
    return-and-correct loop have examples."""
    if not enterprise_ids:
        return
    since = datetime.combine(campaign.starts_on, datetime.min.time())
    session.execute(
        update(Assessment)
        .where(
            Assessment.enterprise_id.in_(enterprise_ids),
            Assessment.questionnaire_id.in_(campaign.questionnaire_ids),
            Assessment.status == Status.SUBMITTED,
            Assessment.submitted_at >= since,
        )
        .values(campaign_id=campaign.id, review_status=Review.PENDING)
        .execution_options(synchronize_session=False)
    )
    if registry is not None:  # flagged, approved and returned ones (services/demo_review.py)
        review_demo_submissions(session, campaign, registry, rng, demo_enterprise_id)
