"""Comparable questionnaire versions: lianghua 2025.2 pools with 2025.1 in cohorts, the bureau's
dashboard, weakest indicators, list and exports; a version not declared comparable never pools; the
registry refuses a declaration that cannot hold; an old assessment keeps its own version."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from assessment.core.cohorts import TOTAL, Cohort
from assessment.core.questionnaire.model import NA
from assessment.core.questionnaire.registry import InvalidQuestionnaireError, Registry
from assessment.core.scoring import score
from assessment.services import surveys
from assessment.services.benchmarks import Benchmarks
from assessment.services.demo import demo_answers
from assessment.services.models import Assessment, Enterprise

from . import factories as f
from .conftest import app_session
from .helpers import login, register, set_english, typical_answers
from .test_bureau import PASSWORD, make_user

ROOT = Path(__file__).resolve().parent.parent
WEAK_RE = re.compile(r"<li><span>([^<]*)</span>.*?<strong>(\d+%)</strong></li>", re.S)


def kpi(page: str, name: str) -> str:
    return re.search(rf'id="kpi-{name}">([^<]*)<', page).group(1)


def bureau_client(app):
    make_user(app, "analyst@jxj.example", "bureau")
    client = app.test_client()
    login(client, "analyst@jxj.example", PASSWORD)
    return client


# --- the registry -----------------------------------------------------------------------------


def test_lianghua_2025_2_pools_with_2025_1_and_new_assessments_start_on_it(registry):
    assert registry.get("lianghua").version == "2025.2"  # what a new draft starts on
    assert registry.get("lianghua", "2025.2").comparable_with == ("2025.1",)
    assert registry.pooled("lianghua", "2025.1") == ("2025.1", "2025.2")
    assert registry.pooled("lianghua", "2025.2") == ("2025.1", "2025.2")
    assert registry.pools("lianghua") == [("2025.1", "2025.2")]
    assert registry.pooled("cloud", "2025.1") == ("2025.1",)  # no other version
    assert registry.pooled("miit", "2024.1") == ("2024.1",)


def answer_sets(questionnaire) -> list[dict]:
    """Worst, middle and best answers, 40 demo firms, everything "not applicable" that may be,
    and nothing answered."""
    rng = random.Random(5)
    sets = [typical_answers(questionnaire, pick) for pick in ("worst", "middle", "best")]
    sets += [demo_answers(questionnaire, rng.random(), rng) for _ in range(40)]
    sets.append(sets[1] | {q.id: NA for q in questionnaire.questions if q.allow_na})
    return [*sets, {}]


def test_every_pooled_pair_scores_the_same_answers_alike(registry):
    pairs = [
        (registry.get(q.id, older), registry.get(q.id, newer))
        for q in registry.current()
        for pool in registry.pools(q.id)
        for i, older in enumerate(pool)
        for newer in pool[i + 1 :]
    ]
    assert [(a.key, b.key) for a, b in pairs] == [(("lianghua", "2025.1"), ("lianghua", "2025.2"))]
    for older, newer in pairs:
        for answers in answer_sets(older) + answer_sets(newer):
            mine, theirs = score(older, answers), score(newer, answers)
            assert replace(mine, version="") == replace(theirs, version=""), answers


# --- the registry refuses what cannot hold ------------------------------------------------------


def folder_with(tmp_path, change) -> Path:
    """lianghua 2025.1 and a changed copy of 2025.2 in a questionnaire folder of their own."""
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    shutil.copy(ROOT / "questionnaires" / "lianghua-2025.1.yaml", folder)
    data = yaml.safe_load((ROOT / "questionnaires" / "lianghua-2025.2.yaml").read_text("utf-8"))
    change(data)
    (folder / "lianghua-2025.2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


def question(data: dict, qid: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == qid)


def top_band_seven(data: dict) -> None:
    question(data, "f_equipment_digital_rate")["bands"][-1]["points"] = 7


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(comparable_with=["2024.9"]),
         "comparable_with: version '2024.9' of lianghua does not exist"),
        (lambda d: d.update(comparable_with=["2025.1", "2026.1"]),
         "version '2026.1' of lianghua does not exist"),
        (top_band_seven, "dimension foundation has a different maximum (51.0 here, 50.0 there)"),
        (top_band_seven, "question f_equipment_digital_rate is scored differently"),
        (lambda d: d["dimensions"][0].update(weight=99),
         "dimension foundation has another weight, kind or max_points"),
        (lambda d: d["levels"][1].update(min_total=31), "the stage rules (levels) differ"),
        (lambda d: d["questions"].remove(question(d, "f_5g")),
         "question f_5g is scored or rated there but not here"),
        (lambda d: d.update(comparable_with="2025.1"), "must be a list of version strings"),
        (lambda d: d.update(comparable_with=["2025.2"]), "names this file's own version"),
    ],
)  # fmt: skip
def test_the_registry_refuses_a_comparability_that_cannot_hold(tmp_path, change, expected):
    with pytest.raises(InvalidQuestionnaireError) as refused:
        Registry.from_directory(folder_with(tmp_path, change))
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems
    assert all("lianghua-2025.2.yaml" in problem for problem in refused.value.problems)


def test_only_earlier_versions_may_be_named_and_validate_says_so(tmp_path, runner):
    folder = folder_with(tmp_path, lambda d: d.update(version="2024.9"))  # older than 2025.1
    with pytest.raises(InvalidQuestionnaireError, match="'2025.1' is not earlier than '2024.9'"):
        Registry.from_directory(folder)
    result = runner.invoke(args=["questionnaire", "validate", str(folder / "lianghua-2025.2.yaml")])
    assert result.exit_code == 1 and "is not earlier than '2024.9'" in result.output
    ok = runner.invoke(args=["questionnaire", "validate", str(ROOT / "questionnaires")])
    assert ok.exit_code == 0 and "lianghua-2025.2.yaml: OK (lianghua 2025.2" in ok.output


# --- cohorts, dashboard, weakest indicators, list, export --------------------------------------


def test_a_cohort_over_both_versions_has_exact_quartiles_and_percentiles(session, registry):
    # 2025.1: 10, 30, 50 (mine); 2025.2: 20, 40, 90. Pooled and sorted: 10 20 30 40 50 90.
    for total in (10, 30):
        f.submitted(session, f.enterprise(session), total)
    mine = f.submitted(session, f.enterprise(session), 50)
    theirs = [f.submitted(session, f.enterprise(session), t, version="2025.2") for t in (20, 40)]
    f.submitted(session, f.enterprise(session), 90, version="2025.2")
    f.submitted(session, f.enterprise(session), 70, version="2024.9")  # not a comparable version
    session.commit()
    benchmarks = Benchmarks(session, min_cohort=1, registry=registry)
    stats = benchmarks.table("lianghua", "2025.1", Cohort("city")).metrics[TOTAL].stats()
    # n 6, mean 240 / 6; linear interpolation: median at 2.5 → (30 + 40) / 2, P25 at 1.25 →
    # 20 + 0.25 · 10, P75 at 3.75 → 40 + 0.75 · 10.
    assert (stats.n, stats.mean, stats.median, stats.p25, stats.p75) == (6, 40, 35, 22.5, 47.5)
    assert benchmarks.table("lianghua", "2025.2", Cohort("city")).metrics[TOTAL].stats() == stats
    # Mine (50, on 2025.1) is ahead of 4 of the 5 others; a 2025.2 firm at 20 of 1 of 5.
    assert benchmarks.compare(mine, {TOTAL: 50})["city"].percentile[TOTAL] == 80
    assert benchmarks.compare(theirs[0], {TOTAL: 20})["city"].percentile[TOTAL] == 20
    alone = Benchmarks(session, min_cohort=1)  # without the registry: each version alone
    assert alone.table("lianghua", "2025.1", Cohort("city")).n == 3


def city_on_both_versions(app) -> None:
    """Two enterprises on 2025.1 (totals 40, 80) and one on 2025.2 (60); f_a won 1, 3 and 4 of 4."""
    with app_session(app) as s:
        for total, version, points in ((40, "2025.1", 1), (80, "2025.1", 3), (60, "2025.2", 4)):
            f.submitted(s, f.enterprise(s, name=f"企业-{version}-{total}"), total,
                        {"foundation": total}, version=version,
                        questions={"f_a": (points, 4), "f_b": (4, 4)})  # fmt: skip
        s.commit()


def test_the_dashboard_list_weakest_indicators_and_export_count_both_versions(app):
    city_on_both_versions(app)
    bureau = bureau_client(app)
    page = bureau.get("/bureau/").text
    assert '<option selected value="lianghua">两化融合评估（版本 2025.1 / 2025.2）</option>' in page
    assert "版本 2025.1 / 2025.2（计分相同，合并统计）" in page
    assert (kpi(page, "participants"), kpi(page, "mean"), kpi(page, "median")) == (
        "3", "60.0", "60.0")  # fmt: skip
    # f_a: (1 + 3 + 4) / (3 · 4) = 67 %, summed over both versions' rows per question id.
    assert WEAK_RE.findall(page) == [("f_a", "67%"), ("f_b", "100%")]
    cohort = bureau.get("/bureau/?industry=appliances").text  # the cohort's own weakest list too
    assert WEAK_RE.findall(cohort) == [("f_a", "67%"), ("f_b", "100%")] * 2  # city, cohort
    listed = bureau.get("/bureau/enterprises").text
    assert all(f"企业-{v}" in listed for v in ("2025.1-40", "2025.1-80", "2025.2-60"))
    rows = list(csv.reader(io.StringIO(bureau.get("/bureau/export.csv").data.decode("utf-8-sig"))))
    assert rows[0][7:9] == ["问卷版本", "总分"]
    assert sorted((r[7], r[8]) for r in rows[1:]) == [("2025.1", "40.0"), ("2025.1", "80.0"),
                                                      ("2025.2", "60.0")]  # fmt: skip
    set_english(bureau)
    english = bureau.get("/bureau/").text
    title = "Integration of informatization and industrialization"
    assert f"{title} (versions 2025.1 / 2025.2)" in english
    assert "versions 2025.1 / 2025.2 (scored alike, counted together)" in english


def test_a_version_not_declared_comparable_is_never_pooled(make_app, tmp_path):
    """lianghua 2026.1, a copy of 2025.2 that declares nothing, starts its own cohorts; the older
    pool stays one choice, and an old bookmark of either of its versions finds it."""
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    for name in ("lianghua-2025.1.yaml", "lianghua-2025.2.yaml", "cloud-2025.1.yaml"):
        shutil.copy(ROOT / "questionnaires" / name, folder)
    data = yaml.safe_load((folder / "lianghua-2025.2.yaml").read_text("utf-8"))
    data["version"] = "2026.1"
    del data["comparable_with"]
    (folder / "lianghua-2026.1.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    app = make_app(QUESTIONNAIRE_DIR=str(folder))
    registry = app.extensions["questionnaires"]
    assert registry.pooled("lianghua", "2026.1") == ("2026.1",)
    assert registry.pools("lianghua") == [("2026.1",), ("2025.1", "2025.2")]
    city_on_both_versions(app)
    with app_session(app) as s:
        new = f.submitted(s, f.enterprise(s, name="企业-2026.1-90"), 90, {"foundation": 90},
                          version="2026.1", questions={"f_a": (4, 4)})  # fmt: skip
        s.commit()
        benchmarks = Benchmarks(s, min_cohort=1, registry=registry)
        assert benchmarks.table("lianghua", "2026.1", Cohort("city")).n == 1
        assert benchmarks.table("lianghua", "2025.2", Cohort("city")).n == 3
        assert benchmarks.compare(new, {TOTAL: 90})["city"].shown is None  # no peer of its own
    bureau = bureau_client(app)
    newest = bureau.get("/bureau/").text
    assert '<option selected value="lianghua">两化融合评估（版本 2026.1）</option>' in newest
    assert '<option value="lianghua@2025.2">两化融合评估（版本 2025.1 / 2025.2）</option>' in newest
    assert kpi(newest, "participants") == "1" and kpi(newest, "mean") == "90.0"
    assert WEAK_RE.findall(newest) == [("f_a", "100%")]
    for bookmark in ("lianghua@2025.2", "lianghua@2025.1"):
        older = bureau.get(f"/bureau/?q={bookmark}").text
        assert '<option selected value="lianghua@2025.2">' in older, bookmark
        assert kpi(older, "participants") == "3" and kpi(older, "mean") == "60.0"
    exported = bureau.get("/bureau/export.csv").data.decode("utf-8-sig")
    assert "企业-2026.1-90" in exported and "企业-2025" not in exported


# --- an old assessment keeps its version ---------------------------------------------------------


def submit_on(session, enterprise, questionnaire, answers) -> Assessment:
    draft = surveys.start(session, enterprise, questionnaire)
    draft.answers = answers
    session.commit()
    surveys.submit(session, draft, questionnaire)
    return draft


def test_an_old_draft_stays_on_its_version_and_its_result_shows_its_own_questions(
    client, app, registry
):
    old, new = registry.get("lianghua", "2025.1"), registry.get("lianghua", "2025.2")
    register(client)
    with app_session(app) as s:  # a draft started before 2025.2 was published
        ent_id = s.scalar(select(Enterprise.id))
        draft = surveys.start(s, s.get(Enterprise, ent_id), old)
        draft_id, public_id = draft.id, draft.public_id
    url = client.post("/my/start/lianghua").headers["Location"]
    assert public_id in url  # resumed, not restarted on 2025.2
    page = client.get(f"/a/{public_id}/page/0").text
    assert 'name="q_f_equipment_digital_rate"' in page and "q_f_equipment_total" not in page
    answers = typical_answers(old)
    with app_session(app) as s:
        for total in (20, 40, 60, 80, 90):  # peers on both versions
            f.submitted(s, f.enterprise(s, "appliances", "zhouxiang", "small"), total,
                        {d.id: total for d in old.dimensions},
                        version="2025.1" if total < 60 else "2025.2")  # fmt: skip
        submitted = submit_on(s, s.get(Assessment, draft_id), old, answers)
        assert submitted.questionnaire_version == "2025.1"
    result = client.get(f"/a/{public_id}/result").text
    assert "问卷版本 2025.1" in result
    assert "本问卷版本及计分方式相同的版本（2025.1 / 2025.2）" in result
    assert re.search(r'id="peer-city".*?<td class="num">6</td>', result, re.S)  # both versions
    assert client.get(f"/a/{public_id}/report.pdf").status_code == 200
    # A year later the firm answers 2025.2: progress is shown against the 2025.1 assessment.
    with app_session(app) as s:
        later = submit_on(s, s.get(Enterprise, ent_id), new, typical_answers(new, "best"))
        later_id = later.public_id
    progress = client.get(f"/a/{later_id}/result").text
    before, after = score(old, answers).total, score(new, typical_answers(new, "best")).total
    assert "（问卷版本 2025.1，计分方式相同）" in progress
    assert f"总分 {before:.1f} → {after:.1f}" in progress and 'id="version-note"' not in progress
