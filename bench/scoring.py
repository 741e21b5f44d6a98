"""Scoring throughput of the pure engine, in-process, per questionnaire (assessments per second)."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

from assessment.core.questionnaire.registry import Registry
from assessment.core.scoring import score
from assessment.services.demo import demo_answers

from .common import ROOT


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


def measure(batch: int = 200, runs: int = 15, max_seconds: float = 6.0) -> list[Throughput]:
    """Score `batch` varied demo answer sets per run; one Throughput per current questionnaire."""
    registry = Registry.from_directory(ROOT / "questionnaires")
    results = []
    for questionnaire in registry.current():
        rng = random.Random(7)
        answer_sets = [demo_answers(questionnaire, rng.random(), rng) for _ in range(batch)]
        for answers in answer_sets[:20]:  # warm-up
            score(questionnaire, answers)
        rates: list[float] = []
        began = time.perf_counter()
        for _ in range(runs):
            start = time.perf_counter()
            for answers in answer_sets:
                score(questionnaire, answers)
            rates.append(batch / (time.perf_counter() - start))
            if len(rates) >= 3 and time.perf_counter() - began > max_seconds:
                break
        name = f"{questionnaire.id} {questionnaire.version} ({len(questionnaire.questions)} q)"
        results.append(Throughput(name, rates))
    return results


if __name__ == "__main__":
    for item in measure():
        print(f"{item.name}: median {item.median:,.0f}/s, p95 {item.p95:,.0f}/s, runs {item.runs}")
