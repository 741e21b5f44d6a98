"""COPY seeding for the scale tier (issue 17): a million submitted demo assessments on PostgreSQL.

The rows follow `assessment.services.demo` (same questionnaires and versions, maturity by size and
industry, ~24 months of submissions, some firms re-assessed, every town, industry and size class),
but scoring a million answer sets would take most of the budget (~7,000/s, bench/results.md), so
each answer set is drawn and scored by the real scoring code once and reused: a pool of
`POOL_PER_KEY` scored sets per (questionnaire version, size class, maturity step), filled as the
firms need them. Rows are streamed to three COPY connections at once, secondary indexes and keys
are built after the load, and the derived tables come from the project's own rebuild entry point
(`flask rebuild-totals`, assessment/cli/database.py).
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from psycopg.copy import QueuedLibpqWriter

from assessment.core.questionnaire.model import Questionnaire
from assessment.core.questionnaire.registry import Registry
from assessment.core.scoring import SCORED, UNANSWERED, score
from assessment.services import demo
from assessment.services.demo_miit import MIIT, miit_answers, nearest
from assessment.services.demo_versions import answered_version, earlier_versions
from assessment.services.models import new_public_id, utcnow

POOL_PER_KEY = 24
MATURITY_STEP = 0.04
FLUSH_ROWS = 2_000
# Processes drawing rows (each with its own three COPY connections): Python, not PostgreSQL, is
# the slower side of the load, and on a shared machine each process gets its own CPU share.
WORKERS = 2
BIG_TABLES = ("enterprise", "assessment", "dimension_score", "question_score")
ASSESSMENT_COLUMNS = (
    "id, public_id, enterprise_id, questionnaire_id, questionnaire_version, status, answers, "
    "current_page, lock_version, total, stage, industry, town, size_class, is_demo, is_latest, "
    "created_at, updated_at, submitted_at"
)


def _escaped(value: str) -> str:
    """A value in COPY's text format (backslash escapes for the separators)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


@dataclass
class Scored:
    """One answer set scored by the real scoring code, pre-rendered as COPY text fragments."""

    answers: dict
    json: str  # the answers as escaped JSON
    total: str
    stage: str
    dimensions: list[str]  # "\t<dimension id>\t<score>", one per dimension score row
    questions: list[str]  # "\t<question id>\t<points>\t<max points>", one per question score row


def scored(questionnaire: Questionnaire, answers: dict) -> Scored:
    """Score `answers` once; the rows are what `demo._Rows.add` writes for a submission."""
    result = score(questionnaire, answers)
    dimensions = [
        f"\t{_escaped(d)}\t{float(r.score)!r}"
        for d, r in result.dimensions.items()
        if r.score is not None
    ]
    questions = [
        f"\t{_escaped(q)}\t{float(r.points)!r}\t{float(r.max_points)!r}"
        for q, r in result.questions.items()
        if r.status in (SCORED, UNANSWERED)
    ]
    text = json.dumps(answers, ensure_ascii=False)
    return Scored(answers, _escaped(text), repr(float(result.total)), _escaped(result.stage),
                  dimensions, questions)  # fmt: skip


class Pool:
    """Scored answer sets by (questionnaire version, size class, maturity step): the first
    `per_key` requests of a key draw and score a new set for that firm, later ones reuse one."""

    def __init__(self, rng: random.Random, per_key: int = POOL_PER_KEY) -> None:
        self.rng, self.per_key = rng, per_key
        self.sets: dict[tuple, list[Scored]] = defaultdict(list)

    def pick(self, questionnaire: Questionnaire, ent: dict, maturity: float,
             others: Callable[[], dict]) -> Scored:  # fmt: skip
        """A scored answer set for a firm of this maturity (`others`: its answers to the other
        questionnaires, which MIIT's answers draw on)."""
        key = (questionnaire.id, questionnaire.version, ent["size_class"],
               round(maturity / MATURITY_STEP))  # fmt: skip
        entries = self.sets[key]
        if len(entries) >= self.per_key:
            return self.rng.choice(entries)
        if questionnaire.id == MIIT:
            answers = miit_answers(questionnaire, ent, maturity, others(), self.rng)
        else:
            answers = demo.demo_answers(questionnaire, maturity, self.rng)
        entries.append(scored(questionnaire, answers))
        return entries[-1]

    @property
    def size(self) -> int:
        """How many answer sets were scored."""
        return sum(len(entries) for entries in self.sets.values())


def submissions(enterprises: list[dict], questionnaires: list[Questionnaire],
                earlier: dict[str, Questionnaire], pool: Pool, rng: random.Random,
                now: datetime) -> Iterator[tuple[dict, Questionnaire, Scored, datetime, bool]]:  # fmt: skip
    """(enterprise, answered version, scored set, submitted at, is latest) of every submission,
    drawn as `demo._assess` draws them (shares, dates, re-takes, trend), answers from `pool`."""
    for ent in enterprises:
        base = demo.SIZE_MATURITY[ent["size_class"]]
        firm = base + demo.INDUSTRY_MATURITY.get(ent["industry"], 0) + rng.gauss(0, 0.12)
        given: dict[str, list[tuple[float, dict]]] = {}
        for questionnaire in questionnaires:
            if rng.random() > demo.QUESTIONNAIRE_SHARE.get(questionnaire.id, 0.6):
                continue
            rounds = demo._days_ago(rng)
            for i, ago in enumerate(rounds):
                trend = 0.06 * (1 - ago / 730) + (0.07 if i == 1 else 0)
                answered = answered_version(questionnaire, ago, earlier)
                entry = pool.pick(answered, ent, firm + trend,
                                  lambda ago=ago, given=given: nearest(given, ago))  # fmt: skip
                given.setdefault(questionnaire.id, []).append((ago, entry.answers))
                when = now - timedelta(days=ago, minutes=rng.randint(0, 600))
                yield ent, answered, entry, when, i == len(rounds) - 1


class _Streams:
    """Three COPY streams (assessment, dimension_score, question_score) on their own
    connections, so PostgreSQL parses them in parallel while Python draws the next rows."""

    def __init__(self, dsn: str) -> None:
        self.dsn, self.buffers = dsn, ([], [], [])
        self.statements = (
            f"COPY assessment ({ASSESSMENT_COLUMNS}) FROM STDIN",
            "COPY dimension_score (assessment_id, dimension_id, score) FROM STDIN",
            "COPY question_score (assessment_id, question_id, points, max_points) FROM STDIN",
        )

    def __enter__(self) -> _Streams:
        self.stack = ExitStack()
        self.copies = []
        for sql in self.statements:
            connection = self.stack.enter_context(_bulk_connection(self.dsn))
            cursor = self.stack.enter_context(connection.cursor())
            self.copies.append(
                self.stack.enter_context(cursor.copy(sql, writer=QueuedLibpqWriter(cursor)))
            )
        return self

    def add(self, aid: int, ent: dict, q: Questionnaire, entry: Scored, when: datetime,
            latest: bool) -> None:  # fmt: skip
        """Queue the rows of one submitted assessment."""
        s, at = str(aid), when.isoformat(" ")
        created = (when - timedelta(days=2)).isoformat(" ")
        self.buffers[0].append(
            f"{s}\t{new_public_id()}\t{ent['id']}\t{q.id}\t{q.version}\tsubmitted\t{entry.json}"
            f"\t0\t1\t{entry.total}\t{entry.stage}\t{ent['industry']}\t{ent['town']}"
            f"\t{ent['size_class']}\tt\t{'t' if latest else 'f'}\t{created}\t{at}\t{at}\n"
        )
        for buffer, lines in ((self.buffers[1], entry.dimensions),
                              (self.buffers[2], entry.questions)):  # fmt: skip
            if lines:
                buffer.append(s + ("\n" + s).join(lines) + "\n")
        if len(self.buffers[0]) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Send what is queued."""
        for copy, buffer in zip(self.copies, self.buffers, strict=True):
            if buffer:
                copy.write("".join(buffer))
                buffer.clear()

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.flush()
        # Each COPY ends, then its connection commits (or rolls back on an error) and closes.
        self.stack.__exit__(*exc)


def _bulk_connection(dsn: str) -> psycopg.Connection:
    """A connection for loading: no waiting for the WAL flush, no per-row foreign-key triggers
    (the rows are built consistent here; tests/test_bench_seed.py checks them)."""
    connection = psycopg.connect(dsn)
    connection.execute("SET synchronous_commit = off")
    connection.execute("SET session_replication_role = replica")
    return connection


# What the forked workers read (set just before they start; fork shares it without pickling).
_JOB: dict = {}


def copy_assessments(dsn: str, enterprises: list[dict], registry: Registry, seed: int,
                     workers: int = WORKERS) -> tuple[int, int]:  # fmt: skip
    """COPY the submitted assessments of `enterprises` (and their score rows) into the database
    at `dsn`, drawn by `workers` processes, each taking every `workers`-th enterprise with a
    generator and pool of its own (ids interleave: worker k gives k+1, k+1+workers, ...).
    Returns (assessments written, answer sets scored)."""
    _JOB.update(dsn=dsn, enterprises=enterprises, questionnaires=registry.current(),
                earlier=earlier_versions(registry), now=utcnow(), seed=seed, workers=workers)  # fmt: skip
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as executor:
        parts = list(executor.map(_copy_part, range(workers)))
    _JOB.clear()
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def _copy_part(part: int) -> tuple[int, int]:
    """One worker's share: (assessments written, answer sets scored)."""
    job, count = _JOB, 0
    rng, pool = (
        random.Random(f"{job['seed']}:{part}"),
        Pool(random.Random(f"{job['seed']}:pool:{part}")),
    )
    drawn = submissions(job["enterprises"][part :: job["workers"]], job["questionnaires"],
                        job["earlier"], pool, rng, job["now"])  # fmt: skip
    with _Streams(job["dsn"]) as streams:
        for n, (ent, questionnaire, entry, when, latest) in enumerate(drawn):
            streams.add(n * job["workers"] + part + 1, ent, questionnaire, entry, when, latest)
            count = n + 1
    return count, pool.size
