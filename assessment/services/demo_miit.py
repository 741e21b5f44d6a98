"""Demo answers to the MIIT questionnaire (`miit` 2024.1) for one synthetic enterprise. No Flask.

Built in the order a careful firm fills the form, so that every answer agrees with the others:

1. figures: the machine counts the firm gave in lianghua 2025.2 (the same facts: keys
   `equipment_*`), else machines from the firm's size and the digital and networked shares from its
   lianghua rates when it has them (else from its maturity); revenue and staff near the
   enterprise row with a plausible change on the year before; cost below revenue; energy by industry;
2. scenarios 0–4: the level of the matching lianghua (or cloud) ladder, give or take one, else from
   maturity; choices from the matching lianghua answers (else maturity), the automatic data
   collection and the systems' coverage from the scenario levels;
3. derived choices: computed from the figures by the question's own derivation, never drawn;
4. checked choices (energy, quality: judgements): what the figures say, but about one firm in ten
   claims better than its figures show, as real firms do.

`seed_demo` gives this module a random generator of its own, so the lianghua and cloud rows of a
seed do not depend on what is drawn here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessment.core.question_types.base import clip
from assessment.core.questionnaire.answers import clean
from assessment.core.questionnaire.model import NA, Question, Questionnaire

MIIT = "miit"
# Each MIIT scenario and the answer of another questionnaire that rates the same business area on
# a like scale (L1 tools and spreadsheets, L2 a system, L3 integrated, L4 models and AI).
SCENARIO_SOURCES = {
    "s_product_design": ("lianghua", "s_product_design"),
    "s_process_design": ("lianghua", "s_product_design"),  # lianghua rates both in one ladder
    "s_marketing": ("lianghua", "s_sales_orders"),
    "s_after_sales": ("cloud", "s_crm"),
    "s_planning": ("lianghua", "s_production_planning"),
    "s_production_control": ("lianghua", "s_production_control"),
    "s_quality": ("lianghua", "s_quality"),
    "s_equipment": ("lianghua", "s_equipment"),
    "s_safety": ("lianghua", "s_energy_safety"),
    "s_energy": ("lianghua", "s_energy_safety"),
    "s_purchasing": ("lianghua", "s_procurement_warehouse"),
    "s_warehouse": ("lianghua", "s_procurement_warehouse"),
    "s_finance": ("lianghua", "s_finance"),
    "s_hr": ("cloud", "s_hr"),
    "s_office": ("cloud", "s_office"),
    "s_decision": ("lianghua", "n_data_decision"),
}
DECISION_LEVELS = {"experience": 0, "spreadsheets": 1, "dashboards": 2, "analytics": 3}
# MIIT multi-choice options and the lianghua (question, answers) that say the same.
MULTI_SOURCES = {
    "m_network": {"b": ("f_network", ("workshop",)), "c": ("f_network", ("system_net",)),
                  "d": ("f_5g", ("5g_private",)), "e": ("f_network", ("full_site",))},
    "m_network_security": {"b": ("f_security", ("policy",)),
                           "c": ("f_security", ("firewall", "endpoint")),
                           "d": ("f_security", ("assessment",))},
    "m_data_security": {"b": ("f_security", ("policy",)), "c": ("f_security", ("backup",)),
                        "d": ("f_security", ("assessment",))},
    "m_talent": {"b": ("n_digital_talent", ("staff",)), "c": ("n_digital_talent", ("department",)),
                 "d": ("n_digital_talent", ("training",)),
                 "e": ("n_digital_talent", ("incentives",)),
                 "f": ("n_digital_talent", ("partnership",))},
}  # fmt: skip
# The machine counts lianghua 2025.2 asks with the same keys (`equipment_*`).
SHARED_COUNTS = {"m_equipment_total": "f_equipment_total",
                 "m_equipment_digital_count": "f_equipment_digital_count",
                 "m_equipment_networked_count": "f_equipment_networked_count"}  # fmt: skip
PLANNING = {"none": "a", "learning": "b", "plan": "c", "implementing": "d", "reviewing": "e"}
# Lianghua's digital budget bands (% of revenue); the top one is open.
BUDGET = {"none": (0, 0.1), "lt_05": (0.1, 0.5), "p05_1": (0.5, 1), "p1_3": (1, 3),
          "gt_3": (3, None)}  # fmt: skip
# Tonnes of standard coal per 万元 of revenue, a typical firm of the industry (a rough Cixi scale).
ENERGY_INTENSITY = {
    "chemicals": 0.12, "textiles": 0.09, "plastics": 0.08, "hardware_moulds": 0.06,
    "bearings": 0.06, "auto_parts": 0.05, "equipment": 0.04, "electrical": 0.035,
    "appliances": 0.035, "life_health": 0.03,
}  # fmt: skip
# The chance that an area's data are collected automatically, by the area's scenario level.
COLLECTED = (0.0, 0.04, 0.3, 0.7, 0.92)
RATE_EDGES = (0, 0.1, 0.2, 0.4, 0.6, 1.0)  # the official share bands, as fractions
AGREE = 0.92  # a lianghua answer carried over unchanged (else the firm sees it differently now)
CONTRADICTING = 0.1  # checked choices claiming better than the figures show


@dataclass
class _Firm:
    """What one firm's answers are drawn from, and the answers so far."""

    questionnaire: Questionnaire
    ent: Mapping[str, Any]
    maturity: float
    others: Mapping[str, Mapping[str, Any]]
    rng: random.Random
    answers: dict[str, Any]

    @property
    def lianghua(self) -> Mapping[str, Any]:
        return self.others.get("lianghua", {})

    def noisy(self, spread: float = 0.15) -> float:
        """The maturity as one answer shows it (0–1)."""
        return clip(self.maturity + self.rng.gauss(0, spread))


def miit_answers(questionnaire: Questionnaire, ent: Mapping[str, Any], maturity: float,
                 others: Mapping[str, Mapping[str, Any]], rng: random.Random) -> dict[str, Any]:  # fmt: skip
    """One firm's MIIT answers, cleaned as a save leaves them. `ent`: its enterprise row;
    `others`: its answers to other questionnaires (by id) given about the same time."""
    firm = _Firm(questionnaire, ent, maturity, others, rng, {})
    figures = _equipment(firm) | _accounts(firm)
    figures |= _energy_and_quality(firm, figures)
    for question in questionnaire.questions:
        if question.id in figures:
            firm.answers[question.id] = _fit(question, figures[question.id])
    firm.answers |= _scenarios(firm)
    for question in questionnaire.scored_questions:
        derivation = question.extra.get("derive")
        if derivation is not None:
            firm.answers[question.id] = derivation.compute(question, firm.answers).value
        elif question.extra.get("check") is not None:
            firm.answers[question.id] = _judged(question, firm)
        else:
            firm.answers[question.id] = CHOICES.get(question.id, _by_maturity)(question, firm)
    ordered = {q.id: firm.answers[q.id] for q in questionnaire.questions if q.id in firm.answers}
    return clean(questionnaire, ordered)


def nearest(given: Mapping[str, list[tuple[float, dict]]], ago: float) -> dict[str, dict]:
    """Per questionnaire, of the (days ago, answers) a firm gave, the answers closest in time to
    `ago` days ago: what `miit_answers` takes as `others`."""
    return {qid: min(rounds, key=lambda r: abs(r[0] - ago))[1] for qid, rounds in given.items()}


def _fit(question: Question, value: float) -> int | float:
    """A figure as the form stores it: within bounds, whole where it must be."""
    value = min(question.max, max(question.min, value))
    return int(round(value)) if question.integer else round(value, 2)


def _share(rate: Any, firm: _Firm, lag: float = 0.0) -> float:
    """A share of the machines (0–1): the firm's lianghua rate (%) give or take a tenth, else a
    band chosen by maturity, as the lianghua demo draws it."""
    if isinstance(rate, int | float) and not isinstance(rate, bool):
        return clip(rate / 100 * firm.rng.uniform(0.9, 1.1))
    band = min(4, int(5 * firm.noisy() - lag))
    return firm.rng.uniform(RATE_EDGES[max(0, band)], RATE_EDGES[max(0, band) + 1])


def _equipment(firm: _Firm) -> dict[str, float]:
    counted = {mine: firm.lianghua.get(theirs) for mine, theirs in SHARED_COUNTS.items()}
    if all(isinstance(v, int) for v in counted.values()) and counted["m_equipment_total"] > 0:
        return counted  # counted once, for both questionnaires
    total = max(2, round(firm.ent["employees"] * firm.rng.uniform(0.2, 0.8)))
    digital = _share(firm.lianghua.get("f_equipment_digital_rate"), firm)
    networked = _share(firm.lianghua.get("f_equipment_networked_rate"), firm, lag=0.5)
    return {"m_equipment_total": total, "m_equipment_digital_count": round(total * digital),
            "m_equipment_networked_count": round(total * networked)}  # fmt: skip


def _investment_share(firm: _Firm) -> float:
    """The digital investment in % of revenue: in the firm's lianghua band, else by maturity (most
    firms spend 0.2–3 %; the MIIT bands score only from 10 %, which few reach)."""
    band = BUDGET.get(firm.lianghua.get("n_digital_budget"))
    if band is None:
        return (0.2 + 3.5 * firm.maturity**2) * firm.rng.lognormvariate(0, 0.6)
    low, high = band
    return firm.rng.uniform(low, high) if high else low + firm.rng.expovariate(1 / 3)


def _accounts(firm: _Firm) -> dict[str, float]:
    """Staff, revenue and cost of the last two years, and the three-year averages."""
    rng, maturity = firm.rng, firm.maturity
    revenue = firm.ent["revenue_wan"] * rng.uniform(0.97, 1.03)
    growth = min(0.5, max(-0.3, rng.gauss(0.02 + 0.12 * (maturity - 0.3), 0.1)))
    before = revenue / (1 + growth)
    average = (revenue + before + before / (1 + rng.gauss(0.03, 0.08))) / 3
    staff = max(1, round(firm.ent["employees"] * rng.uniform(0.96, 1.02)))
    margin = rng.uniform(0.1, 0.28)  # gross margin: manufacturing cost is 72–90 % of revenue
    gain = rng.gauss(0.015 * maturity - 0.002, 0.015)
    return {
        "m_digital_investment_avg": average * _investment_share(firm) / 100,
        "m_revenue_avg": average,
        "m_staff_last": staff, "m_revenue_last": revenue,
        "m_staff_prev": max(1, round(staff / (1 + rng.gauss(0.01, 0.05)))),
        "m_revenue_prev": before,
        "m_cost_last": revenue * min(0.98, 1 - margin - gain),
        "m_cost_prev": before * (1 - margin),
    }  # fmt: skip


def _energy_and_quality(firm: _Firm, figures: dict[str, float]) -> dict[str, float]:
    """Energy use of the last two years (digital firms save more per unit of revenue) and the
    monthly pass rates before and after the upgrade (the one before is optional: some leave it)."""
    rng, maturity = firm.rng, firm.maturity
    intensity = ENERGY_INTENSITY.get(firm.ent["industry"], 0.05) * rng.lognormvariate(0, 0.35)
    saving = rng.gauss(0.05 * maturity, 0.05)
    rejected = min(25.0, max(0.2, rng.lognormvariate(math.log(5 - 4 * clip(maturity)), 0.5)))
    fixed = min(0.9, rng.gauss(0.05 + 0.3 * maturity, 0.15))  # share of the rejects avoided
    out = {
        "m_energy_last": figures["m_revenue_last"] * intensity * (1 - saving),
        "m_energy_prev": figures["m_revenue_prev"] * intensity,
        "m_pass_rate_after": 100 - rejected * (1 - fixed),
    }
    if rng.random() < 0.8:
        out["m_pass_rate_before"] = 100 - rejected
    return out


def _level(value: Any) -> int | None:
    """Another questionnaire's answer as a scenario level; None when it gives none."""
    if value == NA:
        return 0  # 不涉及
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return DECISION_LEVELS.get(value) if isinstance(value, str) else None


def _scenarios(firm: _Firm) -> dict[str, int]:
    out = {}
    for scenario in firm.questionnaire.scenarios:
        where, qid = SCENARIO_SOURCES.get(scenario.id, ("", ""))
        level = _level(firm.others.get(where, {}).get(qid))
        if level is None:
            level = min(4, int(5 * firm.noisy()))
        elif firm.rng.random() < 0.2:
            level = min(4, max(0, level + firm.rng.choice((-1, 1))))
        out[scenario.id] = level
    return out


def _areas(firm: _Firm, question: Question) -> dict[str, str]:
    """The question's choices that name a business area, with the area's scenario id."""
    scenarios = {s.text.zh: s.id for s in firm.questionnaire.scenarios}
    return {c.value: scenarios[c.label.zh] for c in question.choices if c.label.zh in scenarios}


def _none_of(question: Question) -> list[str]:
    return [c.value for c in question.choices if c.exclusive][:1]


def _by_maturity(question: Question, firm: _Firm) -> Any:
    return question.kind.demo_answer(question, firm.noisy(), firm.rng)


def _multi(question: Question, firm: _Firm) -> list[str]:
    """The options the firm's lianghua answers name (mostly kept), the others by maturity."""
    sources, rng, chosen = MULTI_SOURCES[question.id], firm.rng, []
    for choice in (c for c in question.choices if not c.exclusive):
        where, values = sources.get(choice.value, ("", ()))
        answer = firm.lianghua.get(where) if where else None
        if answer is None:  # no lianghua answer, or an option lianghua does not ask about
            odds = clip(firm.noisy() * 1.1 - (0.05 if where else 0.3))
        else:
            said = any(v == answer or (isinstance(answer, list) and v in answer) for v in values)
            odds = AGREE if said else 1 - AGREE
        if rng.random() < odds:
            chosen.append(choice.value)
    return chosen or _none_of(question)


def _collected(question: Question, firm: _Firm) -> list[str]:
    """Automatic collection only where the area's scenario runs on a system, mostly from L3."""
    areas = _areas(firm, question)
    chosen = [value for value, scenario in areas.items()
              if firm.rng.random() < COLLECTED[firm.answers[scenario]]]  # fmt: skip
    return chosen or _none_of(question)


def _systems(question: Question, firm: _Firm) -> str:
    """The coverage of information systems: the areas whose scenario is at L2 (a system) or above."""
    areas = list(_areas(firm, firm.questionnaire.question("m_data_collection")).values())
    covered = sum(1 for scenario in areas if firm.answers[scenario] >= 2)
    index = (0 if covered == 0 else 1 if covered == 1 else 4 if covered == len(areas)
             else 3 if covered > 0.8 * len(areas) else 2)  # fmt: skip
    if firm.rng.random() < 0.1:  # a judgement: some see their coverage a band higher or lower
        index = min(4, max(0, index + firm.rng.choice((-1, 1))))
    return question.choices[index].value


def _planning(question: Question, firm: _Firm) -> str:
    value = PLANNING.get(firm.lianghua.get("n_strategy"))
    if value is None:
        return _by_maturity(question, firm)
    return "f" if value in ("d", "e") and firm.rng.random() < 0.15 else value


def _judged(question: Question, firm: _Firm) -> str:
    """A checked choice: what the figures say, or now and then a better claim; by maturity when a
    figure is left blank."""
    check, rng = question.extra["check"], firm.rng
    worse, flat, better = check.choices
    said = check.compute(question, firm.answers).value
    if said is None:
        draw = rng.random()
        return better if draw < clip(0.15 + firm.maturity) else worse if draw > 0.93 else flat
    return better if said != better and rng.random() < CONTRADICTING else said


CHOICES = {"m_data_collection": _collected, "m_info_systems": _systems, "m_planning": _planning,
           **dict.fromkeys(MULTI_SOURCES, _multi)}  # fmt: skip
