"""The result page: peers, fallback notes, next steps, what-if, progress — in both languages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from assessment.core.questionnaire.model import NA
from assessment.core.recommend import apply, candidate_steps
from assessment.core.scoring import score
from assessment.core.uscc import make_uscc
from assessment.services.cache import bump_generation
from assessment.services.models import Enterprise

from . import factories as f
from .conftest import app_session
from .helpers import USCC_B, register, save_page, set_english, start, typical_answers


def submit_via_web(client, questionnaire, answers) -> str:
    url = start(client, questionnaire.id)
    base = url.rsplit("/", 1)[0]
    for index in range(len(questionnaire.pages)):
        response = save_page(client, f"{base}/{index}", questionnaire, index, answers)
        assert response.status_code == 302, response.text[:2000]
    result = client.post(f"{base.rsplit('/page', 1)[0]}/review")
    assert result.status_code == 302
    return result.headers["Location"]


def peers(
    app, totals, industry="appliances", town="zhouxiang", size="small", questionnaire="lianghua"
):
    """Other enterprises' submitted assessments with these totals (every dimension = total)."""
    with app_session(app) as s:
        q = app.extensions["questionnaires"].get(questionnaire)
        for total in totals:
            f.submitted(
                s,
                f.enterprise(s, industry, town, size),
                total,
                {d.id: total for d in q.dimensions},
                questionnaire=q.id,
                version=q.version,
            )
        bump_generation(s)
        s.commit()


def test_first_enterprise_sees_its_score_and_a_clear_no_peers_message(client, registry):
    questionnaire = registry.get("lianghua")
    register(client)
    page = client.get(submit_via_web(client, questionnaire, typical_answers(questionnaire))).text
    assert "目前参评企业数量不足，暂无法与同行比较" in page
    assert "为保护企业数据，不予显示" in page
    assert "下一步行动建议" in page


def test_peer_statistics_percentile_and_fallback_are_shown(client, app, registry):
    questionnaire = registry.get("lianghua")
    answers = typical_answers(questionnaire)
    mine = score(questionnaire, answers).total
    # Six appliance makers in Zhouxiang (small), two of them above us; no other industry.
    peers(app, [10, 20, 30, 40, mine + 10, mine + 20])
    register(client)  # registers as a small appliance maker in Zhouxiang (helpers.registration)
    url = submit_via_web(client, questionnaire, answers)
    page = client.get(url).text
    # Ahead of 4 of 6 others.
    assert re.search(r"您领先于慈溪 67% 的家用电器企业", page), re.findall(r"领先于[^<]*", page)
    assert 'id="peer-city"' in page and '<td class="num">7</td>' in page
    assert "<svg" in page and "各维度得分：本企业与全市、同行业对比" in page
    set_english(client)
    english = client.get(url).text
    assert "You are ahead of 67% of Household appliances enterprises in Cixi." in english
    assert "Where you stand among Cixi peers" in english


def test_a_small_cohort_falls_back_and_says_so(client, app, registry):
    questionnaire = registry.get("cloud")
    peers(
        app,
        [30, 40, 50, 60, 70],
        industry="bearings",
        town="hushan",
        size="medium",
        questionnaire="cloud",
    )
    register(client)  # an appliance maker: alone in its industry
    page = client.get(submit_via_web(client, questionnaire, typical_answers(questionnaire))).text
    assert page.count("同类企业不足 5 家：改为与慈溪全市比较") >= 2
    assert "您领先于慈溪" in page and "的参评企业" in page


def test_ticking_steps_projects_the_engines_score(client, registry):
    questionnaire = registry.get("lianghua")
    answers = typical_answers(questionnaire, "worst")
    register(client)
    url = submit_via_web(client, questionnaire, answers)
    result = score(questionnaire, answers)
    steps = candidate_steps(questionnaire, answers, result)
    top3 = score(
        questionnaire, apply(questionnaire, answers, [s.recommendation for s in steps[:3]])
    )
    page = client.get(url).text
    block = re.search(r'id="projection-top3".*?</div>', page, re.S).group(0)
    assert f"{top3.total:.1f}" in block
    chosen = [steps[1], steps[4]]
    expected = score(
        questionnaire, apply(questionnaire, answers, [s.recommendation for s in chosen])
    )
    ticked = client.get(
        url, query_string=[("step", chosen[0].id), ("step", chosen[1].id), ("step", "bogus")]
    )
    block = re.search(r'id="projection-selected".*?</div>', ticked.text, re.S).group(0)
    assert f"{expected.total:.1f}" in block and "完成所勾选的 2 项后" in block
    assert f'value="{chosen[0].id}" checked' in ticked.text


def test_all_answers_at_best_says_no_recommendation_is_left(client, registry):
    questionnaire = registry.get("cloud")
    register(client)
    page = client.get(
        submit_via_web(client, questionnaire, typical_answers(questionnaire, "best"))
    ).text
    assert 'id="no-steps"' in page and "已无待改进建议" in page
    assert "100.0" in page


def test_many_not_applicable_answers_render_without_error(client, registry):
    questionnaire = registry.get("lianghua")
    answers = typical_answers(questionnaire, "worst")
    for q in questionnaire.questions:
        if q.allow_na:
            answers[q.id] = NA
    register(client)
    response = client.get(submit_via_web(client, questionnaire, answers))
    assert response.status_code == 200
    expected = score(questionnaire, answers)
    assert f"{expected.total:.1f}" in response.text


def test_reassessment_shows_progress_per_dimension(client, registry):
    questionnaire = registry.get("lianghua")
    register(client)
    submit_via_web(client, questionnaire, typical_answers(questionnaire, "worst"))
    url = submit_via_web(client, questionnaire, typical_answers(questionnaire, "middle"))
    page = client.get(url).text
    before = score(questionnaire, typical_answers(questionnaire, "worst"))
    after = score(questionnaire, typical_answers(questionnaire, "middle"))
    assert 'id="progress"' in page
    assert f"总分 {before.total:.1f} → {after.total:.1f}" in page
    change = after.dimensions["foundation"].score - before.dimensions["foundation"].score
    assert f"+{change:.1f}" in page


def test_a_questionnaire_version_change_is_not_compared_and_says_so(client, app, registry):
    questionnaire = registry.get("cloud")
    register(client)
    with app_session(app) as s:
        ent = s.scalar(select(Enterprise))
        f.submitted(
            s,
            ent,
            33.0,
            {"iaas": 33.0},
            days_ago=300,
            questionnaire="cloud",
            version="2024.1",
        )
        s.commit()
    page = client.get(submit_via_web(client, questionnaire, typical_answers(questionnaire))).text
    assert 'id="version-note"' in page and "2024.1" in page and "不作比较" in page
    assert "与上次评估相比的进步" in page and "总分 33.0" not in page


def test_submitting_refreshes_cached_benchmarks(client, app, registry):
    questionnaire = registry.get("lianghua")
    peers(app, [10, 20, 30, 40, 50])
    register(client)
    url = submit_via_web(client, questionnaire, typical_answers(questionnaire, "worst"))
    first = client.get(url).text  # the city's table is now in the worker's cache
    assert re.search(r'id="peer-city".*?<td class="num">6</td>', first, re.S)
    # Two more enterprises register and submit through the site: nothing but their submits
    # can tell the cache that the city's table has changed.
    for n, uscc in enumerate((USCC_B, make_uscc("330282", "MA2AB003"))):
        other = app.test_client()
        assert register(other, uscc=uscc, email=f"other{n}@example.com").status_code == 302
        submit_via_web(other, questionnaire, typical_answers(questionnaire, "best"))
    second = client.get(url).text
    assert re.search(r'id="peer-city".*?<td class="num">8</td>', second, re.S)


def test_bureau_style_access_is_not_given_to_other_enterprises(client, registry):
    questionnaire = registry.get("cloud")
    register(client)
    url = submit_via_web(client, questionnaire, typical_answers(questionnaire))
    client.post("/auth/logout")
    register(client, uscc=USCC_B, email="b@example.com")
    assert client.get(url).status_code == 404
    assert client.get(url, query_string={"step": "x"}).status_code == 404


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_result_page_renders_in_both_languages(client, app, registry, lang):
    questionnaire = registry.get("cloud")
    peers(app, [20, 40, 60, 80, 90, 95], industry="appliances", questionnaire="cloud")
    register(client)
    if lang == "en":
        set_english(client)
    page = client.get(submit_via_web(client, questionnaire, typical_answers(questionnaire))).text
    words = {
        "zh": ["您在慈溪同行中的位置", "下一步行动建议", "3 个月内"],
        "en": ["Where you stand among Cixi peers", "Your next steps", "Within 3 months"],
    }[lang]
    for word in words:
        assert word in page
    for dim in questionnaire.dimensions:
        assert getattr(dim.title, lang) in page
