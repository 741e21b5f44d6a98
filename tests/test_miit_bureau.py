"""The bureau's MIIT views: the share at 二级 or above (by cohort and by quarter), the level filter,
the export's S / sub-score / level / scenario columns, and `flask score miit`."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from assessment.core.enterprise import industry_label
from assessment.core.levels import ScenarioCount, plain
from assessment.core.scoring import score
from assessment.services import enterprise_list, surveys
from assessment.services.accounts import hash_password
from assessment.services.bureau_filters import Filters
from assessment.services.bureau_stats import dashboard, target_levels
from assessment.services.models import Assessment, User

from . import factories as f
from .conftest import app_session
from .helpers import login, set_english

PASSWORD = "Bureau-Pass-2025"
MIIT = {"questionnaire": "miit", "version": "2024.1"}
CONSTRAINED = ["s_product_design", "s_marketing", "s_production_control"]  # 约束性
GUIDING = ["s_process_design", "s_after_sales", "s_planning"]  # 指导性
NOTE = "按公开资料整理，以官方评测结果为准"
LEVELS_ZH = ("未达到一级", "一级", "二级", "三级", "四级")


@pytest.fixture
def bureau(client, app):
    with app_session(app) as s:
        s.add(User(email="analyst@jxj.example", password_hash=hash_password(PASSWORD),
                   role="bureau"))  # fmt: skip
        s.commit()
    login(client, "analyst@jxj.example", PASSWORD)
    return client


@pytest.fixture
def miit(registry):
    return registry.get("miit", "2024.1")


def boundary_answers(miit, scenarios: dict[str, int] | None = None) -> dict:
    """S exactly 40: network 8 + equipment 4.5 + 4.5 (50 of 100 machines, computed from the
    figures) + ten data areas at 0.7 (7, which floats would sum to 6.999…) + systems 10
    + planning 6, nothing else; six scenarios at L2, three of them 约束性 (so: 二级)."""
    scenarios = scenarios or {qid: 2 for qid in CONSTRAINED + GUIDING}
    answers = {
        "m_network": ["b", "c", "d", "e"],
        "m_equipment_total": 100, "m_equipment_digital_count": 50,
        "m_equipment_networked_count": 50,
        "m_data_collection": list("bcdefghijk"),
        "m_info_systems": "e", "m_network_security": ["a"], "m_data_security": ["a"],
        "m_planning": "e", "m_mgmt_rules": ["a"], "m_talent": ["a"],
        "m_digital_investment_avg": 0, "m_revenue_avg": 5000,
        "m_staff_last": 100, "m_revenue_last": 4000, "m_staff_prev": 100, "m_revenue_prev": 5000,
        "m_energy_last": 100, "m_energy_prev": 100, "m_energy": "a",
        "m_pass_rate_after": 95, "m_quality": "a", "m_cost_last": 4000, "m_cost_prev": 4000,
    }  # fmt: skip
    for q in miit.scenarios:
        answers[q.id] = scenarios.get(q.id, 0)
    return answers


def derived(answers: dict) -> dict:
    """The boundary answers with the choices the survey computes from the figures filled in (the
    CLI scores a file as given): 50 % → (40 %, 60 %] both times, no investment, revenue per head
    down, cost per 100 yuan up."""
    return answers | {"m_equipment_digital": "d", "m_equipment_networked": "d", "m_funding": "a",
                      "m_revenue_per_head": "a", "m_cost_per_revenue": "a"}  # fmt: skip


def submit_miit(session, miit, ent, answers: dict) -> Assessment:
    """A real MIIT assessment: started, saved page by page (derived choices computed by the
    survey), submitted (scored by the engine)."""
    draft = surveys.start(session, ent, miit)
    for page in miit.pages:
        raw = {q.id: answers[q.id] for q in page.questions if q.id in answers}
        outcome = surveys.save_page(session, draft, miit, page, raw, "next", draft.lock_version)
        assert outcome.saved and not outcome.problems, (page.dimension.id, outcome.problems)
    surveys.submit(session, draft, miit)
    return draft


def test_the_target_levels_come_from_the_level_order(miit, registry):
    assert [lv.id for lv in miit.levels] == ["none", "level1", "level2", "level3", "level4"]
    assert target_levels(miit) == miit.levels[2:]  # 二级, 三级, 四级
    assert target_levels(registry.get("lianghua")) == ()  # our own stages: pages as before


def test_submitting_the_boundary_answers_gives_exactly_40_and_level2(session, miit):
    a = submit_miit(session, miit, f.enterprise(session), boundary_answers(miit))
    assert (a.total, a.stage) == (40, "level2")
    assert score(miit, a.answers).exact_total == Decimal(40)


def city(app):
    """Six MIIT enterprises with hand-picked latest levels, plus rows that must not count."""
    with app_session(app) as s:
        rows = [  # industry, town, size, latest level, an older level (replaced)
            ("appliances", "zhouxiang", "small", "level2", None),
            ("appliances", "zhouxiang", "small", "level1", None),
            ("appliances", "hushan", "medium", "level3", "level1"),
            ("bearings", "hushan", "small", "none", "level2"),
            ("bearings", "zhouxiang", "micro", "level4", None),
            ("plastics", "kandun", "small", "level2", None),
        ]
        names = {}
        for n, (industry, town, size, level, older) in enumerate(rows):
            ent = f.enterprise(s, industry, town, size, name=f"企业{n}-{level}")
            if older:
                f.submitted(s, ent, 30, days_ago=60, stage=older, **MIIT)
            f.submitted(s, ent, 20 + 10 * n, {"foundation": 50}, days_ago=20, stage=level, **MIIT)
            names.setdefault(level, []).append(ent.name)
        f.submitted(s, f.enterprise(s, is_demo=True), 45, stage="level2", **MIIT)  # demo: never
        f.submitted(s, f.enterprise(s, "bearings"), 70, stage="level3")  # lianghua: other survey
        s.commit()
    return names


def test_dashboard_share_at_level2_or_above_per_cohort_is_a_hand_count(bureau, app, miit):
    city(app)
    ids = [lv.id for lv in target_levels(miit)]
    with app_session(app) as s:
        data = dashboard(s, Filters("miit", "2024.1"))
    # Latest levels: appliances level2, level1, level3 → 2 of 3; bearings none, level4 → 1 of 2;
    # plastics level2 → 1 of 1. Towns and sizes likewise, from the rows in `city`.
    by_industry = {"appliances": 2 / 3, "bearings": 1 / 2, "plastics": 1.0}
    assert {g.key: g.share(ids) for g in data.by_industry} == by_industry
    by_town = {"zhouxiang": 2 / 3, "hushan": 1 / 2, "kandun": 1.0}
    assert {g.key: g.share(ids) for g in data.by_town} == by_town
    by_size = {"small": 2 / 4, "medium": 1.0, "micro": 1.0}
    assert {g.key: g.share(ids) for g in data.by_size} == by_size
    assert data.participants == 6 and data.share(ids) == 4 / 6
    page = bureau.get("/bureau/?q=miit").text
    assert "等级分布" in page and "二级及以上" in page
    assert re.search(r'id="kpi-target">66.7%<', page)
    for key, share in (("appliances", "66.7%"), ("bearings", "50.0%")):
        row = re.search(rf'<th scope="row">{industry_label(key, "zh")}</th>(.*?)</tr>', page, re.S)
        assert re.search(rf'<td class="num target-share"><strong>{share}</strong>', row.group(1)), (
            key
        )
    for label in LEVELS_ZH:  # the level distribution
        assert f'<th scope="row">{label}</th>' in page
    set_english(bureau)
    english = bureau.get("/bureau/?q=miit").text
    assert "Level 2 or above" in english and "Level distribution" in english
    lianghua = bureau.get("/bureau/").text
    assert "target-share" not in lianghua and 'id="target-trend"' not in lianghua


def quarter(when) -> str:
    return f"{when.year}Q{(when.month - 1) // 3 + 1}"


def test_quarterly_share_at_level2_or_above_is_a_hand_count(bureau, app, miit):
    submissions = [  # days ago, level; one enterprise each, but the first re-assesses below
        (400, "level2"), (200, "level1"), (195, "level3"), (190, "none"),
        (40, "level2"), (35, "level1"), (5, "level4"),
    ]  # fmt: skip
    with app_session(app) as s:
        made = []
        for days, level in submissions:
            made.append(f.submitted(s, f.enterprise(s), 40, days_ago=days, stage=level, **MIIT))
        ent = made[0].enterprise
        made.append(f.submitted(s, ent, 40, days_ago=3, stage="level1", **MIIT))  # re-assessed
        s.commit()
        hand: dict[str, list[int]] = {}
        for a in made:
            counts = hand.setdefault(quarter(a.submitted_at), [0, 0])
            counts[0] += 1
            counts[1] += a.stage in ("level2", "level3", "level4")
        data = dashboard(s, Filters("miit", "2024.1"))
    ids = [lv.id for lv in target_levels(miit)]
    found = {t.quarter: [t.submissions, t.count(ids)] for t in data.trend_stages}
    assert found == hand and sum(n for n, _at in hand.values()) == 8
    assert [t.share(ids) for t in data.trend_stages] == [at / n for _q, (n, at) in
                                                         sorted(hand.items())]  # fmt: skip
    page = bureau.get("/bureau/?q=miit").text
    section = page[page.index('id="target-trend"') :]
    assert "每个季度提交的全部评估" in section  # the page says which trend it is
    for q, (n, at) in hand.items():
        row = (rf"<tr><td>{q}</td><td class=\"num\">{n}</td><td class=\"num\">{at}</td>"
               rf"<td class=\"num\">{100 * at / n:.1f}%</td></tr>")  # fmt: skip
        assert re.search(row, section), q
    assert "<svg" in section


def listed(page: str) -> list[str]:
    return re.findall(r'<a href="/bureau/enterprises/[^"]+">([^<]+)</a>', page)


def test_the_level_filter_lists_exactly_the_enterprises_at_that_level(bureau, app, miit):
    names = city(app)
    page = bureau.get("/bureau/enterprises?q=miit&level=level2").text
    # 企业3's older assessment was 二级, but its latest is 未达到一级: not listed.
    assert listed(page) == ["企业5-level2", "企业0-level2"]  # by total, highest first
    assert '<option selected value="level2">二级</option>' in page
    for level, expected in names.items():
        found = listed(bureau.get(f"/bureau/enterprises?q=miit&level={level}").text)
        assert sorted(found) == sorted(expected), level
    # With sort and pagination: one per page, by name, the second page.
    second = bureau.get("/bureau/enterprises?q=miit&level=level2&sort=name&dir=asc&per_page=1"
                        "&page=2").text  # fmt: skip
    assert listed(second) == ["企业5-level2"] and "第 2 / 2 页（共 2 条）" in second
    assert 'rel="prev"' in second and "level=level2" in second  # the links keep the level
    with app_session(app) as s:
        filters = Filters("miit", "2024.1", stage="level4")
        rows = enterprise_list.page(s, filters, None, "total", True, 10, 0)
        assert [r.enterprise.name for r in rows] == names["level4"]
        assert enterprise_list.count(s, filters, None) == 1
        # A period that has ended: the latest within it, then its level (the window path).
        past = Filters("miit", "2024.1", end=f.at(40), stage="level2")
        assert [r.enterprise.name for r in enterprise_list.iter_all(s, past)] == ["企业3-none"]
    exported = bureau.get("/bureau/export.csv?q=miit&level=level1")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:-1]] == names["level1"] and rows[-1] == [NOTE]
    unknown = bureau.get("/bureau/enterprises?q=miit&level=level9").text
    assert "未知的等级“level9”已忽略。" in unknown and len(listed(unknown)) == 6
    lianghua = bureau.get("/bureau/enterprises?level=integration").text
    assert '<option selected value="integration">' in lianghua and listed(lianghua) == []


def real_city(app, miit) -> dict[str, dict]:
    """Three enterprises with real MIIT assessments (answers saved page by page, submitted)."""
    variants = {
        "boundary": {},
        "fewer": {"s_production_control": 1, "s_hr": 2},
        "higher": {**{q.id: 3 for q in miit.scenarios}, "s_finance": 4},
    }
    with app_session(app) as s:
        for name, scenarios in variants.items():
            base = {qid: 2 for qid in CONSTRAINED + GUIDING}
            answers = boundary_answers(miit, base | scenarios)
            if name == "higher":  # 40 + 5 + 5 + 7.5 + 7.5 = 65, every scenario at L3+: 三级
                answers |= {"m_network_security": list("bcde"), "m_data_security": list("bcde"),
                            "m_talent": list("bcdef"), "m_mgmt_rules": list("bcde")}  # fmt: skip
            submit_miit(s, miit, f.enterprise(s, name=f"真实企业-{name}"), answers)
        s.commit()
        stored = s.execute(select(Assessment.public_id, Assessment.answers)).all()
    return dict(stored)


def public_id(row) -> str:
    """The assessment id of an export row (an id starting with "-" is quoted like a formula)."""
    return row[5].removeprefix("'")


def engine_row(miit, answers: dict, lang: str) -> list[str]:
    """The export's S … counts cells for one assessment, as the engine computes them."""
    result = score(miit, answers)
    cells = [plain(result.exact_total)]
    cells += [plain(Decimal(repr(result.dimensions[d].points)))
              for d in ("foundation", "management", "outcomes")]  # fmt: skip
    cells.append(miit.level(result.stage).label.get(lang))
    cells += [str(result.scenarios[q.id]) for q in miit.scenarios]
    for at in (1, 2, 3, 4):
        cells += [str(n) for n in ScenarioCount(0, at, 0).met_by(miit, result.scenarios)]
    return cells


def test_the_csv_has_the_engines_s_subscores_level_and_scenarios_in_zh_and_en(bureau, app, miit):
    stored = real_city(app, miit)
    for lang in ("zh", "en"):
        if lang == "en":
            set_english(bureau)
        response = bureau.get("/bureau/export.csv?q=miit")
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        head, body, note = rows[0], rows[1:-1], rows[-1]
        if lang == "zh":
            assert head[7:13] == ["问卷版本", "总分 S", "数字化基础得分（满分50）",
                                  "数字化管理得分（满分30）", "数字化成效得分（满分20）", "等级"]  # fmt: skip
            assert head[-8:-6] == ["达到1级及以上的场景数", "其中约束性场景数（1级及以上）"]
            assert note == [NOTE]
        else:
            assert head[7:13] == ["Questionnaire version", "Total points (S)",
                                  "Digital foundation points (of 50)",
                                  "Digital management points (of 30)",
                                  "Digital outcomes points (of 20)", "Level"]  # fmt: skip
            assert head[-2:] == ["Scenarios at level 4 or above",
                                 "Of them constrained (level 4 or above)"]  # fmt: skip
            assert note == [miit.note.en]
        assert head[13:29] == [q.text.get(lang) for q in miit.scenarios]  # 16, by name
        assert len(head) == 13 + 16 + 8 and len(body) == 3
        for row in body:
            assert len(row) == len(head)
            assert row[7:] == ["2024.1", *engine_row(miit, stored[public_id(row)], lang)], row[1]
        by_name = {row[1]: row for row in body}
        assert by_name["真实企业-boundary"][8] == "40"  # exact: not 39.99999999999999
        assert by_name["真实企业-boundary"][12] == ("二级" if lang == "zh" else "Level 2")
        assert by_name["真实企业-fewer"][12] == ("一级" if lang == "zh" else "Level 1")
        assert by_name["真实企业-higher"][8:13] == ["65", "44", "21", "0",
                                                 "三级" if lang == "zh" else "Level 3"]  # fmt: skip
        assert by_name["真实企业-boundary"][-8:] == ["6", "3", "6", "3", "0", "0", "0", "0"]


def test_the_xlsx_and_the_export_command_have_the_same_columns(bureau, app, runner, miit, tmp_path):
    stored = real_city(app, miit)
    book = load_workbook(io.BytesIO(bureau.get("/bureau/export.xlsx?q=miit").data))
    sheet = list(book.worksheets[0].iter_rows(values_only=True))
    for row in sheet[1:]:  # numbers as numbers; 40.0 and 40 read back as the same "40"
        cells = [plain(Decimal(repr(v))) if isinstance(v, float) else str(v) for v in row[8:]]
        assert cells == engine_row(miit, stored[public_id(row)], "zh"), row[1]
    assert sheet[1][7] == "2024.1" and isinstance(sheet[1][8], int | float)
    cohorts = list(book.worksheets[1].iter_rows(values_only=True))
    assert cohorts[0][0] == NOTE and set(cohorts[0][1:]) <= {None}
    header = next(r for r in cohorts if r[1] == "n")
    assert header[-1] == "二级及以上" and header[4:9] == LEVELS_ZH
    industry = next(r for r in cohorts[cohorts.index(header) :] if r[0] == "家用电器")
    assert industry[1] == 3 and industry[-1] == round(2 / 3, 4)  # boundary and higher: 二级+
    out = tmp_path / "miit.csv"
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(out), "--questionnaire",
                                 "miit"])  # fmt: skip
    assert result.exit_code == 0, result.output
    web = bureau.get("/bureau/export.csv?q=miit").data
    assert out.read_bytes() == web
    only = tmp_path / "level2.csv"
    runner.invoke(args=["export", "--format", "csv", "--out", str(only), "--questionnaire", "miit",
                        "--level", "level2"])  # fmt: skip
    rows = list(csv.reader(io.StringIO(only.read_bytes().decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:-1]] == ["真实企业-boundary"]


def run_score(runner, tmp_path, answers: dict) -> dict:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["score", "miit", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_score_miit_prints_s_subscores_scenarios_level_and_what_is_missing(runner, miit, tmp_path):
    printed = run_score(runner, tmp_path, derived(boundary_answers(miit)))
    scenarios = {q.id: 0 for q in miit.scenarios} | {qid: 2 for qid in CONSTRAINED + GUIDING}
    assert printed == {
        "questionnaire": "miit",
        "version": "2024.1",
        "S": "40",
        "subscores": {
            "foundation": {"points": "34", "max": "50"},
            "management": {"points": "6", "max": "30"},
            "outcomes": {"points": "0", "max": "20"},
        },
        "scenarios": scenarios,
        "scenario_counts": {
            "L1": {"scenarios": 6, "constrained": 3},
            "L2": {"scenarios": 6, "constrained": 3},
            "L3": {"scenarios": 0, "constrained": 0},
            "L4": {"scenarios": 0, "constrained": 0},
        },
        "level": "level2",
        "level_label": "Level 2",
        "next_level": "level3",
        "missing": [
            "Score 40; Level 3 needs at least 60: 20 points short.",
            "Scenarios at level 3 or above: 0 (0 constrained); Level 3 needs 8 (5 constrained).",
        ],
    }
    # One 约束性 scenario fewer at L2 (a 指导性 one instead): still six, but only two 约束性.
    fewer = boundary_answers(miit, scenarios | {"s_production_control": 1, "s_hr": 2})
    printed = run_score(runner, tmp_path, derived(fewer))
    assert printed["S"] == "40" and printed["level"] == "level1"
    assert printed["level_label"] == "Level 1" and printed["next_level"] == "level2"
    assert printed["scenario_counts"]["L2"] == {"scenarios": 6, "constrained": 2}
    assert printed["missing"] == [
        "Scenarios at level 2 or above: 6 (2 constrained); Level 2 needs 6 (3 constrained)."
    ]


def test_score_miit_keeps_fractions_exact(runner, miit, tmp_path):
    answers = derived(boundary_answers(miit)) | {"m_mgmt_rules": ["b"], "m_data_collection": ["b"]}
    printed = run_score(runner, tmp_path, answers)  # 8 + 4.5 + 4.5 + 0.7 + 10 + 6 + 1.875
    assert printed["S"] == "35.575" and printed["subscores"]["management"]["points"] == "7.875"
    assert printed["level"] == "level1"
