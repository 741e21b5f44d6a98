"""Synthetic Cixi enterprises with submitted assessments, flagged as demo. No Flask.

Deterministic per seed. Answers follow a latent maturity that grows with size class, varies by
industry and rises slightly over time, so dashboards and benchmarks show realistic spreads; MIIT
answers (figures, derived choices, scenarios) are built in `demo_miit` from the same maturity and
the firm's other answers.
Rows go in with driver-level executemany: 100,000 enterprises must seed in under two minutes.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from assessment.core.enterprise import industries, size_class, towns
from assessment.core.enums import Membership, Role
from assessment.core.question_types.base import clip
from assessment.core.questionnaire.answers import clean
from assessment.core.questionnaire.model import NA, Question, Questionnaire
from assessment.core.questionnaire.registry import Registry
from assessment.core.scoring import SCORED, UNANSWERED, score
from assessment.core.uscc import random_uscc
from assessment.services import derived, indicator_totals
from assessment.services.accounts import hash_password
from assessment.services.bulk import advance_sequences, insert_rows
from assessment.services.cache import bump_generation
from assessment.services.demo_campaign import seed_demo_campaign
from assessment.services.demo_miit import MIIT, miit_answers, nearest
from assessment.services.demo_versions import answered_version, counts, earlier_versions
from assessment.services.models import (
    Assessment,
    DimensionScore,
    Enterprise,
    QuestionScore,
    User,
    new_public_id,
    utcnow,
)

DEMO_PASSWORD = "cixi-demo-2025"
DEMO_BUREAU_EMAIL = "demo-bureau@cixi.example"
DEMO_ENTERPRISE_EMAIL = "demo-enterprise@cixi.example"

# (share of firms, employees range, revenue range in 万元): far more small and micro than large.
SIZE_PROFILES = {
    "micro": (0.42, (3, 19), (50, 290)),
    "small": (0.43, (20, 299), (300, 1990)),
    "medium": (0.12, (300, 999), (2000, 39000)),
    "large": (0.03, (1000, 6000), (40000, 400000)),
}
SIZE_MATURITY = {"micro": 0.22, "small": 0.36, "medium": 0.52, "large": 0.68}
INDUSTRY_MATURITY = {
    "appliances": 0.05, "auto_parts": 0.06, "equipment": 0.06, "electrical": 0.03,
    "bearings": 0.02, "life_health": 0.03, "chemicals": 0.01, "hardware_moulds": -0.02,
    "plastics": -0.02, "textiles": -0.05, "other": -0.04,
}  # fmt: skip
NAME_HEADS = [
    "宏达", "华力", "永盛", "金鼎", "恒润", "东方", "博远", "新宇", "瑞丰", "汇通",
    "天成", "明德", "盛泰", "凯利", "鑫源", "卓越", "众诚", "立信", "海天", "长青",
]  # fmt: skip
NAME_MIDS = ["精密", "智能", "科技", "实业", "机电", "制造", "工贸", "新材料", "电子", "塑业"]
INDUSTRY_NOUNS = {
    "appliances": "电器", "auto_parts": "汽车部件", "bearings": "轴承", "textiles": "纺织",
    "electrical": "电气", "hardware_moulds": "模具", "plastics": "塑料制品", "chemicals": "化工",
    "equipment": "装备", "life_health": "医疗器械", "other": "制品",
}  # fmt: skip
QUESTIONNAIRE_SHARE = {"lianghua": 0.85, "cloud": 0.7, MIIT: 0.6}


@dataclass
class SeedSummary:
    enterprises: int
    assessments: int
    seconds: float
    bureau_email: str
    enterprise_email: str


def _weighted(rng: random.Random, items: list, weights: list[float]):
    return rng.choices(items, weights=weights, k=1)[0]


def demo_answer(question: Question, maturity: float, rng: random.Random) -> Any:
    """A plausible answer for a firm of this maturity (0–1), drawn by the question's type."""
    if question.allow_na and rng.random() < 0.05:
        return NA
    return question.kind.demo_answer(question, clip(maturity + rng.gauss(0, 0.15)), rng)


def demo_answers(questionnaire: Questionnaire, maturity: float, rng: random.Random) -> dict:
    """A whole set of answers (hidden questions dropped), with the counts behind every share
    computed from counts (lianghua 2025.2's machines)."""
    answers = {}
    for q in questionnaire.questions:
        if q.scored:
            answers[q.id] = demo_answer(q, maturity, rng)
    return clean(questionnaire, answers | counts(questionnaire, answers, maturity))


def _enterprise_rows(rng: random.Random, count: int, start_id: int, taken: set[str]):
    town_list, industry_list = towns(), industries()
    town_weights = [t.demo_weight for t in town_list]
    industry_weights = [i.demo_weight for i in industry_list]
    sizes = list(SIZE_PROFILES)
    size_weights = [SIZE_PROFILES[s][0] for s in sizes]
    rows = []
    for n in range(count):
        code = random_uscc(rng)
        while code in taken:
            code = random_uscc(rng)
        taken.add(code)
        target = _weighted(rng, sizes, size_weights)
        _, (e_lo, e_hi), (r_lo, r_hi) = SIZE_PROFILES[target]
        employees = rng.randint(e_lo, e_hi)
        revenue = round(rng.uniform(r_lo, r_hi), 1)
        industry = _weighted(rng, industry_list, industry_weights).code
        name = (
            f"慈溪市{rng.choice(NAME_HEADS)}{rng.choice(NAME_MIDS)}"
            f"{INDUSTRY_NOUNS.get(industry, '制品')}有限公司（演示{start_id + n}）"
        )
        rows.append(
            {
                "id": start_id + n,
                "public_id": new_public_id(),
                "uscc": code,
                "name": name,
                "town": _weighted(rng, town_list, town_weights).code,
                "industry": industry,
                "employees": employees,
                "revenue_wan": revenue,
                "size_class": size_class(employees, revenue),
                "contact_name": "演示联系人",
                "contact_phone": "0574-6300" + f"{rng.randint(0, 9999):04d}",
                "is_demo": True,
                "created_at": utcnow(),
            }
        )
    return rows


@dataclass
class _Rows:
    """The assessment rows of a seeding run, gathered for the bulk writes; ids assigned here."""

    next_id: int
    assessments: list[dict] = field(default_factory=list)
    dimension_scores: list[dict] = field(default_factory=list)
    question_scores: list[dict] = field(default_factory=list)
    # The bureau's per-question sums over latest assessments, kept as a submit would keep them.
    totals: indicator_totals.Totals = field(default_factory=indicator_totals.Totals)

    def add(
        self, ent: dict, questionnaire: Questionnaire, answers: dict, when: datetime, latest: bool
    ) -> None:
        """Score one submitted assessment of `ent` and add its rows."""
        result = score(questionnaire, answers)
        aid, self.next_id = self.next_id, self.next_id + 1
        row = {
            "id": aid, "public_id": new_public_id(), "enterprise_id": ent["id"],
            "questionnaire_id": questionnaire.id, "questionnaire_version": questionnaire.version,
            "status": "submitted", "answers": answers, "current_page": 0, "lock_version": 1,
            "total": result.total, "stage": result.stage, "industry": ent["industry"],
            "town": ent["town"], "size_class": ent["size_class"], "is_demo": True,
            "is_latest": latest, "created_at": when - timedelta(days=2), "updated_at": when,
            "submitted_at": when,
        }  # fmt: skip
        self.assessments.append(row)
        self.dimension_scores += [
            {"assessment_id": aid, "dimension_id": d, "score": r.score}
            for d, r in result.dimensions.items()
            if r.score is not None
        ]
        scores = [
            (q, r.points, r.max_points)
            for q, r in result.questions.items()
            if r.status in (SCORED, UNANSWERED)
        ]
        self.question_scores += [
            {"assessment_id": aid, "question_id": q, "points": p, "max_points": m}
            for q, p, m in scores
        ]
        if latest:
            self.totals.add(SimpleNamespace(**row), scores)


def _days_ago(rng: random.Random) -> list[float]:
    """When one firm took one questionnaire, in days before now: once, or twice (a re-take)."""
    days_ago = rng.uniform(3, 725)
    if days_ago > 200 and rng.random() < 0.22:
        return [days_ago, rng.uniform(3, days_ago - 120)]
    return [days_ago]


def _assess(rows: _Rows, ent: dict, questionnaires: list[Questionnaire],
            rngs: tuple[random.Random, random.Random], now: datetime,
            earlier: dict[str, Questionnaire] | None = None) -> None:  # fmt: skip
    """Draw the submitted assessments of one enterprise and add them to `rows`; an older one
    answers the earlier comparable version of its questionnaire (`earlier`, by id; see
    `demo_versions`), as a real firm did before the new version was published.

    MIIT answers come from the second generator (`demo_miit`). The shared one still draws generic
    MIIT answers, as before MIIT had its own, and drops them: every lianghua and cloud row of a
    seed stays as it was."""
    rng, miit_rng = rngs
    base = SIZE_MATURITY[ent["size_class"]] + INDUSTRY_MATURITY.get(ent["industry"], 0)
    firm = base + rng.gauss(0, 0.12)
    given: dict[str, list[tuple[float, dict]]] = {}
    for questionnaire in questionnaires:
        if rng.random() > QUESTIONNAIRE_SHARE.get(questionnaire.id, 0.6):
            continue
        rounds = _days_ago(rng)
        for i, ago in enumerate(rounds):
            trend = 0.06 * (1 - ago / 730) + (0.07 if i == 1 else 0)
            answered = answered_version(questionnaire, ago, earlier or {})  # same draws
            answers = demo_answers(answered, firm + trend, rng)
            if questionnaire.id == MIIT:
                answers = miit_answers(questionnaire, ent, firm + trend, nearest(given, ago),
                                       miit_rng)  # fmt: skip
            given.setdefault(questionnaire.id, []).append((ago, answers))
            when = now - timedelta(days=ago, minutes=rng.randint(0, 600))
            rows.add(ent, answered, answers, when, latest=i == len(rounds) - 1)


def _write(session: Session, enterprises: list[dict], rows: _Rows) -> None:
    """Write every row, the demo logins and the bureau's totals, and commit."""
    insert_rows(session, Enterprise.__table__, enterprises)
    insert_rows(session, Assessment.__table__, rows.assessments)
    insert_rows(session, DimensionScore.__table__, rows.dimension_scores)
    insert_rows(session, QuestionScore.__table__, rows.question_scores)
    _demo_users(session, enterprises[0]["id"])
    advance_sequences(session.connection(), (Enterprise.__table__, Assessment.__table__))
    rows.totals.write(session)
    derived.rebuild_aggregates(session)  # existing rows included
    bump_generation(session, history=True)  # seeded submissions lie in the past
    session.commit()
    if session.connection().dialect.name == "postgresql":
        # Fresh statistics, or the planner picks poor plans for the first minutes (seen: list 459 ms).
        session.execute(text("ANALYZE"))
        session.commit()


def seed_demo(
    session: Session, registry: Registry, count: int, seed: int, if_empty: bool = False
) -> SeedSummary | None:
    """Create `count` demo enterprises with assessments; None when skipped by `if_empty`."""
    started = time.perf_counter()
    if if_empty and session.scalar(select(func.count(Enterprise.id))):
        return None
    rng, miit_rng = random.Random(seed), random.Random(f"{seed}:{MIIT}")
    taken = set(session.scalars(select(Enterprise.uscc)))
    next_enterprise = (session.scalar(select(func.max(Enterprise.id))) or 0) + 1
    enterprises = _enterprise_rows(rng, count, next_enterprise, taken)
    rows = _Rows((session.scalar(select(func.max(Assessment.id))) or 0) + 1)
    now, questionnaires, earlier = utcnow(), registry.current(), earlier_versions(registry)
    for ent in enterprises:
        _assess(rows, ent, questionnaires, (rng, miit_rng), now, earlier)
    _write(session, enterprises, rows)
    seed_demo_campaign(session, registry, enterprises, seed)
    return SeedSummary(len(enterprises), len(rows.assessments), time.perf_counter() - started,
                       DEMO_BUREAU_EMAIL, DEMO_ENTERPRISE_EMAIL)  # fmt: skip


def _demo_users(session: Session, enterprise_id: int) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    wanted = {
        DEMO_BUREAU_EMAIL: (Role.BUREAU, None),
        DEMO_ENTERPRISE_EMAIL: (Role.ENTERPRISE, enterprise_id),
    }
    for email, (role, ent_id) in wanted.items():
        if session.scalar(select(User.id).where(User.email == email)) is None:
            session.add(
                User(
                    email=email,
                    password_hash=password_hash,
                    role=role,
                    enterprise_id=ent_id,
                    # Verified already: the demo lets people submit straight away.
                    email_verified_at=utcnow(),
                    # The demo enterprise's user owns it (grants providers, invites colleagues).
                    membership=Membership.OWNER if ent_id else None,
                )
            )
    session.flush()
