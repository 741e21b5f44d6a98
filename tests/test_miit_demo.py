"""seed-demo's MIIT assessments: figures that agree with each other and with the enterprise,
choices derived from them, a realistic spread of levels, and the lianghua/cloud rows of a seed
exactly as they were before MIIT answers had a generator of their own."""

from __future__ import annotations

import statistics
from collections import Counter

from sqlalchemy import select

from assessment.core.questionnaire.answers import missing_required
from assessment.core.scoring import score
from assessment.services.demo import seed_demo
from assessment.services.models import Assessment, Base, Enterprise

# Seed 2025, 30 enterprises, computed with the code before MIIT answers had their own generator
# (commit 9c25f62): (enterprise number, total, stage) of the first 20 assessments of each, in id
# order, and the number and sum of the totals of all of them.
LIANGHUA_2025 = [
    (1, 32.02, "starting"), (2, 27.14, "starting"), (3, 23.62, "starting"),
    (4, 13.84, "starting"), (4, 25.14, "starting"), (6, 14.26, "starting"),
    (7, 22.36, "starting"), (8, 33.35, "starting"), (10, 19.3, "starting"),
    (11, 12.68, "starting"), (12, 59.69, "integration"), (13, 36.75, "starting"),
    (14, 48.77, "single_coverage"), (15, 29.4, "starting"), (16, 9.27, "starting"),
    (17, 10.79, "starting"), (18, 46.59, "single_coverage"), (19, 40.76, "single_coverage"),
    (19, 53.68, "single_coverage"), (20, 22.34, "starting"),
]  # fmt: skip
CLOUD_2025 = [
    (1, 35.88, "none"), (2, 17.05, "none"), (3, 17.86, "none"), (3, 33.78, "basic"),
    (5, 80.18, "benchmark"), (6, 14.68, "none"), (7, 17.39, "none"), (8, 35.63, "basic"),
    (11, 7.73, "none"), (12, 58.54, "business"), (14, 48.31, "basic"), (14, 49.61, "basic"),
    (15, 24.89, "basic"), (17, 7.67, "none"), (18, 48.51, "business"), (18, 63.35, "deep"),
    (19, 49.02, "basic"), (19, 52.4, "business"), (20, 27.85, "basic"), (21, 45.23, "business"),
]  # fmt: skip
# MIIT: 21 seeded, plus the demo login's campaign submission that the demo review returns.
ALL_2025 = {"lianghua": (29, 828.09), "cloud": (32, 1121.59), "miit": (22, None)}
FIGURES_AT_MOST_TOTAL = ("m_equipment_digital_count", "m_equipment_networked_count")


def _rows(session, questionnaire_id: str) -> list[tuple]:
    """(enterprise number from 1, total, stage, answers, latest) of one questionnaire's submitted
    assessments, id order (the demo campaign's open drafts are left out)."""
    first = session.scalar(select(Enterprise.id).order_by(Enterprise.id))
    rows = session.execute(
        select(Assessment.enterprise_id, Assessment.total, Assessment.stage, Assessment.answers,
               Assessment.is_latest)
        .where(Assessment.questionnaire_id == questionnaire_id, Assessment.status == "submitted")
        .order_by(Assessment.id)
    ).all()  # fmt: skip
    return [(e - first + 1, round(t, 2), s, a, latest) for e, t, s, a, latest in rows]


def _empty(session) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()


def _seeded_miit(session, registry, count: int, seed: int) -> list[tuple[Assessment, Enterprise]]:
    seed_demo(session, registry, count, seed)
    return session.execute(
        select(Assessment, Enterprise).join(Enterprise, Assessment.enterprise_id == Enterprise.id)
        .where(Assessment.questionnaire_id == "miit", Assessment.status == "submitted")
        .order_by(Assessment.id)
    ).all()  # fmt: skip


def _figures_fit_the_firm(a: dict, ent: Enterprise) -> None:
    assert a["m_equipment_total"] >= 2 and isinstance(a["m_equipment_total"], int)
    for qid in FIGURES_AT_MOST_TOTAL:
        assert 0 <= a[qid] <= a["m_equipment_total"], qid
    assert abs(a["m_revenue_last"] / float(ent.revenue_wan) - 1) <= 0.031
    assert abs(a["m_staff_last"] / ent.employees - 1) <= 0.05 or abs(
        a["m_staff_last"] - ent.employees) <= 1  # fmt: skip
    assert -0.31 <= a["m_revenue_last"] / a["m_revenue_prev"] - 1 <= 0.51
    assert 0.6 <= a["m_staff_last"] / a["m_staff_prev"] <= 1.5
    assert 0 < a["m_cost_last"] < a["m_revenue_last"] and 0 < a["m_cost_prev"] < a["m_revenue_prev"]
    assert a["m_energy_prev"] > 0 and 0 < a["m_energy_last"] < 3 * a["m_energy_prev"]
    assert 0 <= a["m_digital_investment_avg"] < a["m_revenue_avg"]
    assert 50 < a["m_pass_rate_after"] <= 100 and a.get("m_pass_rate_before", 99) <= 100


def test_seeded_miit_answers_are_complete_consistent_and_derived(session, registry):
    questionnaire = registry.get("miit")
    seeded = _seeded_miit(session, registry, 300, seed=5)
    assert len({ent.id for _a, ent in seeded}) > 140  # about 60 % of the firms
    checked = Counter()
    for assessment, ent in seeded:
        answers = assessment.answers
        assert missing_required(questionnaire, answers) == []
        _figures_fit_the_firm(answers, ent)
        result = score(questionnaire, answers)
        assert (round(result.total, 2), result.stage) == (round(assessment.total, 2),
                                                          assessment.stage)  # fmt: skip
        assert set(result.scenarios.values()) <= {0, 1, 2, 3, 4}
        for question in questionnaire.questions:
            if question.extra.get("derive") is not None:
                outcome = question.extra["derive"].compute(question, answers)
                assert answers[question.id] == outcome.value, question.id
            elif question.extra.get("check") is not None:
                said = question.extra["check"].compute(question, answers).value
                if said is not None:
                    checked[answers[question.id] == said] += 1
    # Checked choices mostly agree with the figures; a few claim better.
    assert checked[True] > 0.8 * sum(checked.values()) and checked[False] > 0


def test_miit_follows_the_firms_lianghua_answers(session, registry):
    seeded = _seeded_miit(session, registry, 300, seed=6)
    lianghua = {}
    for a in session.scalars(select(Assessment).where(Assessment.questionnaire_id == "lianghua")):
        lianghua.setdefault(a.enterprise_id, []).append(a)
    pairs = []
    for assessment, ent in seeded:
        if ent.id not in lianghua:
            continue
        nearest = min(lianghua[ent.id],
                      key=lambda a: abs((a.submitted_at - assessment.submitted_at).total_seconds()))  # fmt: skip
        # lianghua's production-control ladder ≈ the MIIT 生产管控 scenario, give or take one
        ladder = nearest.answers["s_production_control"]
        assert abs(assessment.answers["s_production_control"] - ladder) <= 1
        if assessment.is_latest and nearest.is_latest:
            pairs.append((nearest.total, assessment.total))
    assert len(pairs) > 80
    assert statistics.correlation(*zip(*pairs, strict=True)) > 0.6


def test_level_spread_of_a_few_hundred_firms(session, registry):
    seeded = _seeded_miit(session, registry, 400, seed=2025)
    levels = Counter(a.stage for a, _ent in seeded if a.is_latest)
    assert levels["level1"] + levels["level2"] > 0.6 * sum(levels.values())
    assert levels["none"] >= 1 and levels["level3"] >= 1
    assert levels["level4"] <= levels["level3"] < levels["level2"]


def test_the_same_seed_gives_the_same_miit_rows(session, registry):
    seed_demo(session, registry, 40, seed=9)
    first = _rows(session, "miit")
    _empty(session)
    seed_demo(session, registry, 40, seed=9)
    assert _rows(session, "miit") == first and len(first) > 10
    _empty(session)
    seed_demo(session, registry, 40, seed=10)
    assert _rows(session, "miit") != first


def test_lianghua_and_cloud_rows_of_a_seed_are_unchanged(session, registry):
    seed_demo(session, registry, 30, seed=2025)
    snapshot = {"lianghua": LIANGHUA_2025, "cloud": CLOUD_2025}
    for qid, (count, total) in ALL_2025.items():
        rows = _rows(session, qid)
        assert len(rows) == count, qid
        if qid in snapshot:
            assert [row[:3] for row in rows[:20]] == snapshot[qid]
            assert round(sum(row[1] for row in rows), 2) == total
