"""Scoring throughput of the pure engine, in-process, per questionnaire (assessments per second),
and the planner's worst case: every answer at the bottom, a plan to each level."""

from __future__ import annotations

import os
import random
import statistics
import time
from dataclasses import dataclass
from functools import partial

# The questionnaire package first: assessment.core.levels imported before it fails (a cycle).
from assessment.core.questionnaire import Questionnaire, Registry  # isort: skip
from assessment.core.levels import ScenarioCount
from assessment.core.planner import plan_for
from assessment.core.questionnaire.answers import clean
from assessment.core.scoring import score
from assessment.services.demo import SIZE_PROFILES, demo_answers
from assessment.services.demo_miit import MIIT, miit_answers

from .common import ROOT, Timing, timed


@dataclass
class Throughput:
    """Scoring rates of one questionnaire, one per measured batch."""

    name: str
    rates: list[float]  # assessments per second, one per measured batch

    @property
    def median(self) -> float:
        """Median rate over the batches."""
        return statistics.median(self.rates)

    @property
    def p95(self) -> float:
        """The rate of the slow end: the 5th percentile of rates (= the 95th of batch times)."""
        ordered = sorted(self.rates)
        return ordered[int(round(0.05 * (len(ordered) - 1)))]

    @property
    def runs(self) -> int:
        """How many measured batches."""
        return len(self.rates)


def varied_answers(questionnaire: Questionnaire, batch: int, rng: random.Random) -> list[dict]:
    """Varied demo answer sets: MIIT's as seed-demo makes them (figures, derived choices, scenarios;
    firms of every size), the others' from the generic demo."""
    if questionnaire.id != MIIT:
        return [demo_answers(questionnaire, rng.random(), rng) for _ in range(batch)]
    out = []
    for _ in range(batch):
        _share, (e_lo, e_hi), (r_lo, r_hi) = SIZE_PROFILES[rng.choice(list(SIZE_PROFILES))]
        firm = {"employees": rng.randint(e_lo, e_hi), "revenue_wan": rng.uniform(r_lo, r_hi),
                "industry": "appliances"}  # fmt: skip
        out.append(miit_answers(questionnaire, firm, rng.random(), {}, rng))
    return out


def measure(batch: int = 200, runs: int = 15, max_seconds: float = 6.0) -> list[Throughput]:
    """Score `batch` varied demo answer sets per run; one Throughput per current questionnaire."""
    registry = Registry.from_directory(ROOT / "questionnaires")
    results = []
    for questionnaire in registry.current():
        rng = random.Random(7)
        sets = varied_answers(questionnaire, batch, rng)
        for answers in sets[:20]:  # warm-up
            score(questionnaire, answers)
        rates: list[float] = []
        began = time.perf_counter()
        for _ in range(runs):
            start = time.perf_counter()
            for answers in sets:
                score(questionnaire, answers)
            rates.append(batch / (time.perf_counter() - start))
            if len(rates) >= 3 and time.perf_counter() - began > max_seconds:
                break
        name = f"{questionnaire.id} {questionnaire.version} ({len(questionnaire.questions)} q)"
        results.append(Throughput(name, rates))
    return results


def worst_answers(questionnaire: Questionnaire) -> dict:
    """Every scored question at its worst answer and every scenario below level 1."""
    return clean(questionnaire, {q.id: q.kind.example_answer(q, "worst")
                                 for q in questionnaire.questions if q.scored or q.kind.rated})  # fmt: skip


def planner(runs: int = 15, max_seconds: float = 6.0) -> list[tuple[Timing, int | None]]:
    """`plan_for` from the worst answers to each level, for every questionnaire whose levels count
    scenarios (the ones the planner plans for): (timing, the plan's steps or None if unreachable)."""
    registry = Registry.from_directory(ROOT / "questionnaires")
    out = []
    for questionnaire in registry.current():
        rules = [c for lv in questionnaire.levels for c in lv.conditions]
        if not any(isinstance(c, ScenarioCount) for c in rules):
            continue
        answers = worst_answers(questionnaire)
        result = score(questionnaire, answers)
        for level in questionnaire.levels[1:]:
            plan = plan_for(questionnaire, answers, result, level)
            name = f"planner worst case {questionnaire.id} → {level.id}"
            call = partial(plan_for, questionnaire, answers, result, level)
            timing = timed(name, call, runs, max_seconds=max_seconds)
            out.append((timing, len(plan.steps) if plan else None))
    return out


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.2f}")
    measured = measure()
    for item in measured:
        print(f"{item.name}: median {item.median:,.0f}/s, p95 {item.p95:,.0f}/s, runs {item.runs}")
    for item in measured[1:]:
        ratio = item.median / measured[0].median
        print(f"  {item.name.split()[0]} / {measured[0].name.split()[0]}: {ratio:.2f}×")
    for timing, steps in planner():
        print(f"{timing.name}: median {timing.median_ms:.2f} ms, p95 {timing.p95_ms:.2f} ms, "
              f"runs {timing.runs}, {steps if steps is not None else 'no'} steps")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f}")
