"""The enterprise journey through the test client: register → fill → resume → review → submit."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import select

from assessment.core.scoring import score
from assessment.services.models import Assessment, DimensionScore, Enterprise

from .conftest import app_session
from .helpers import (
    USCC_B,
    login,
    logout,
    page_form,
    register,
    save_page,
    start,
    typical_answers,
)


def test_register_fill_resume_review_submit_and_see_the_computed_score(client, registry, app):
    questionnaire = registry.get("lianghua")
    answers = typical_answers(questionnaire)
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/my")

    url = start(client, "lianghua")
    assert url.endswith("/page/0")
    # Fill the first two pages, then leave.
    for index in (0, 1):
        url = f"{url.rsplit('/', 1)[0]}/{index}"
        response = save_page(client, url, questionnaire, index, answers)
        assert response.status_code == 302, response.text[:2000]
    logout(client)

    # Resume later: the draft continues at the page where it was left, with answers kept.
    login(client)
    home = client.get("/my")
    assert "继续填写" in home.text  # Chinese: the default
    resumed = start(client, "lianghua")
    assert resumed.endswith("/page/2")  # where "save and continue" was heading
    page1 = client.get(resumed.replace("/page/2", "/page/1")).text
    first_q = questionnaire.pages[1].questions[0]
    assert f'value="{answers[first_q.id]}"' in page1 and "checked" in page1

    base = resumed.rsplit("/", 1)[0]
    for index in range(2, len(questionnaire.pages)):
        response = save_page(client, f"{base}/{index}", questionnaire, index, answers)
        assert response.status_code == 302, response.text[:2000]
    assert response.headers["Location"].endswith("/review")

    review = client.get(response.headers["Location"])
    assert review.status_code == 200
    # Every shown question is listed with a link back to its page.
    for q in questionnaire.questions:
        if q.id in answers:
            assert f"#q-{q.id}" in review.text
    submitted = client.post(response.headers["Location"])
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/result")

    expected = score(questionnaire, answers)
    result_page = client.get(submitted.headers["Location"])
    assert result_page.status_code == 200
    assert f"{expected.total:.1f}" in result_page.text
    stage = questionnaire.level(expected.stage)
    assert stage.label.zh in result_page.text
    for dim in questionnaire.dimensions:
        value = expected.dimensions[dim.id].score
        assert f"{value:.1f}" in result_page.text

    with app_session(app) as s:
        stored = s.scalar(select(Assessment).where(Assessment.status == "submitted"))
        assert stored.questionnaire_id == "lianghua" and stored.questionnaire_version == "2025.2"
        assert stored.total == expected.total and stored.is_latest
        assert stored.industry == "appliances" and stored.size_class == "small"
        rows = s.scalars(select(DimensionScore).where(DimensionScore.assessment_id == stored.id))
        assert {r.dimension_id: r.score for r in rows} == {
            d: r.score for d, r in expected.dimensions.items() if r.score is not None
        }


def _submit_all(client, questionnaire, answers) -> str:
    url = start(client, questionnaire.id)
    base = url.rsplit("/", 1)[0]
    for index in range(len(questionnaire.pages)):
        response = save_page(client, f"{base}/{index}", questionnaire, index, answers)
        assert response.status_code == 302, response.text[:3000]
    review = response.headers["Location"]
    result = client.post(review)
    assert result.status_code == 302
    return result.headers["Location"]


def test_submitted_answers_are_frozen_and_a_new_assessment_keeps_history(client, registry, app):
    questionnaire = registry.get("cloud")
    register(client)
    first = _submit_all(client, questionnaire, typical_answers(questionnaire, "worst"))
    # The submitted assessment cannot be edited any more: its pages lead to the result.
    draft_page = first.replace("/result", "/page/0")
    assert client.get(draft_page).headers["Location"].endswith("/result")
    second = _submit_all(client, questionnaire, typical_answers(questionnaire, "best"))
    assert first != second
    home = client.get("/my").text
    assert home.count("/result") >= 2
    with app_session(app) as s:
        rows = s.scalars(select(Assessment).order_by(Assessment.id)).all()
        assert [r.is_latest for r in rows] == [False, True]
        assert rows[1].total == 100.0


def test_the_costliest_questions_are_listed_per_dimension(client, registry):
    questionnaire = registry.get("lianghua")
    register(client)
    result_url = _submit_all(client, questionnaire, typical_answers(questionnaire, "worst"))
    page = client.get(result_url).text
    expected = score(questionnaire, typical_answers(questionnaire, "worst"))
    for dim in questionnaire.dimensions:
        for qr in expected.costliest(dim.id):
            text = questionnaire.question(qr.question_id).text.zh
            assert escape(text) in page


def test_hidden_questions_are_neither_required_nor_kept(client, registry, app):
    questionnaire = registry.get("lianghua")
    conditional = [q for q in questionnaire.questions if q.relevant]
    assert conditional, "the questionnaire must have conditional questions"
    register(client)
    answers = typical_answers(questionnaire, "worst")
    url = start(client, "lianghua")
    base = url.rsplit("/", 1)[0]
    for index in range(len(questionnaire.pages)):
        page = questionnaire.pages[index]
        data = page_form(questionnaire, index, answers)
        # Post an answer to every conditional question, even those hidden by the worst answers.
        for q in page.questions:
            if q.relevant and q.id not in answers and q.type in ("single", "ladder"):
                data[f"q_{q.id}"] = q.choices[-1].value
        lock = re.search(
            r'name="lock_version"[^>]*value="(\d+)"', client.get(f"{base}/{index}").text
        )
        data["lock_version"] = lock.group(1)
        response = client.post(f"{base}/{index}", data=data)
        assert response.status_code == 302, response.text[:2000]
    with app_session(app) as s:
        draft = s.scalar(select(Assessment))
        hidden = [q.id for q in conditional if q.id not in answers]
        assert hidden and not set(hidden) & set(draft.answers)


def test_an_enterprise_sees_only_its_own_assessments(client, registry, app):
    questionnaire = registry.get("cloud")
    register(client)
    result_a = _submit_all(client, questionnaire, typical_answers(questionnaire))
    draft_a = start(client, "lianghua")
    logout(client)
    register(client, uscc=USCC_B, email="b@example.com", name="慈溪市另一家轴承有限公司")
    for url in (result_a, draft_a, draft_a.replace("/page/0", "/review")):
        assert client.get(url).status_code == 404
    assert client.post(draft_a, data={"nav": "save", "lock_version": "0"}).status_code == 404
    assert "示例电器" not in client.get("/my").text
    with app_session(app) as s:
        assert s.scalar(select(Enterprise).where(Enterprise.uscc == USCC_B)).size_class == "small"
