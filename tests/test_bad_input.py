"""Bad input gets a clear message next to its field, keeps what was typed, and never a 500."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from assessment.services.models import Assessment, Enterprise

from .conftest import app_session, csrf_from
from .helpers import (
    USCC_A,
    lock_version,
    page_form,
    register,
    registration,
    set_english,
    start,
    typical_answers,
)


def field_error(page: str, field_id: str) -> str:
    """The error message rendered next to a field (empty when none)."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


# --- registration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("uscc", "91330282MA2AB0011", "must be 18 characters long; this one has 17"),
        (
            "uscc",
            USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1"),
            "The check character (the last one) should be",
        ),
        ("uscc", "91330282MA2AB0O1XX", "never I, O, S, V or Z"),
        ("uscc", "", "This field is required."),
        ("employees", "10000000", "Please enter a number from 0 to 200000"),
        ("employees", "-5", "Please enter a number from 0 to 200000"),
        ("employees", "many", "Not a valid integer value."),
        ("revenue_wan", "-1", "Please enter a number from 0 to"),
        ("town", "atlantis", "Not a valid choice"),
        ("email", "not-an-email", "Please enter a valid email address."),
        ("password", "short", "Use at least 10 characters."),
        ("password", "abababababab", "This password repeats too few characters. Choose another."),
        ("name", "x" * 300, "between 2 and 200 characters"),
    ],
)
def test_registration_refuses_bad_fields_with_a_message_and_keeps_the_rest(
    client, field, value, message
):
    set_english(client)
    data = registration(**{field: value})
    if field == "password":
        data["password2"] = value
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200
    assert message in field_error(response.text, field), field_error(response.text, field)
    # Nothing typed is lost: the other fields come back filled in.
    assert "慈溪市示例电器有限公司" in response.text or field == "name"
    assert 'value="0574-63001234"' in response.text
    assert 'value="a@example.com"' in response.text or field == "email"


def test_uscc_lower_case_and_spaces_are_accepted_and_stored_upper_case(client, app):
    response = register(client, uscc=f"  {USCC_A.lower()}  ")
    assert response.status_code == 302
    with app_session(app) as s:
        assert s.scalar(select(Enterprise.uscc)) == USCC_A


def test_duplicate_uscc_is_refused_in_chinese_by_default(client):
    register(client)
    client.post("/auth/logout")
    response = register(client, email="other@example.com")
    assert response.status_code == 200
    assert field_error(response.text, "uscc").startswith("已有企业使用该统一社会信用代码注册")


def test_common_password_is_refused(client):
    set_english(client)
    response = client.post(
        "/auth/register", data=registration(password="password1234", password2="password1234")
    )
    assert "too common" in field_error(response.text, "password")


def test_the_email_address_as_password_is_refused(client):
    set_english(client)
    email = "Factory.Owner@example.com"
    response = client.post(
        "/auth/register",
        data=registration(email=email, password=email.lower(), password2=email.lower()),
    )
    assert response.status_code == 200
    assert field_error(response.text, "password") == (
        "This password is too common and easy to guess. Choose another."
    )


def test_login_says_the_same_for_unknown_email_and_wrong_password(client):
    register(client)
    client.post("/auth/logout")
    set_english(client)
    wrong = client.post(
        "/auth/login", data={"email": "a@example.com", "password": "wrong-password-1"}
    )
    unknown = client.post("/auth/login", data={"email": "nobody@example.com", "password": "x" * 12})
    text = "Email or password is not correct."
    assert text in wrong.text and text in unknown.text


# --- survey pages -----------------------------------------------------------------------------


@pytest.fixture
def survey(client, registry):
    """A registered enterprise with a lianghua draft open at page 0."""
    register(client)
    set_english(client)
    url = start(client, "lianghua")
    return client, registry.get("lianghua"), url


def _first(questionnaire, kind, page=None, **conditions):
    pages = [questionnaire.pages[page]] if page is not None else questionnaire.pages
    for p in pages:
        for q in p.questions:
            if (
                q.type == kind
                and not q.relevant
                and not q.extra.get("derive")  # typed by the user, not computed from figures
                and all(getattr(q, k) == v for k, v in conditions.items())
            ):
                return p.index, q
    raise AssertionError(f"no {kind} question")


def _post_page(client, questionnaire, url, index, answers, **extra):
    page_url = f"{url.rsplit('/', 1)[0]}/{index}"
    lock = lock_version(client.get(page_url).text)
    data = page_form(questionnaire, index, answers, lock=lock)
    data.update(extra)
    return client.post(page_url, data=data)


@pytest.mark.parametrize("typed", ["150", "100.5", "-0.5"])
def test_percentage_out_of_range_is_refused_and_the_typed_value_kept(survey, typed):
    client, questionnaire, url = survey
    index, q = _first(questionnaire, "number")
    assert (q.min, q.max) == (0, 100)
    answers = typical_answers(questionnaire)
    response = _post_page(client, questionnaire, url, index, answers, **{f"q_{q.id}": typed})
    assert response.status_code == 200
    assert field_error(response.text, f"q-{q.id}") == "Please enter a value from 0 to 100."
    assert f'value="{typed}"' in response.text
    # The other answers on the page were saved and are still shown.
    other = next(  # one shown whatever the other pages say
        x
        for x in questionnaire.pages[index].questions
        if x.type == "single" and x.id in answers and not x.relevant
    )
    assert f'value="{answers[other.id]}" checked' in response.text


def test_a_fraction_for_a_whole_number_is_refused(survey):
    client, questionnaire, url = survey
    index, q = _first(questionnaire, "number", integer=True)
    response = _post_page(
        client, questionnaire, url, index, typical_answers(questionnaire), **{f"q_{q.id}": "2.5"}
    )
    assert field_error(response.text, f"q-{q.id}") == "Please enter a whole number."
    assert 'value="2.5"' in response.text


def test_text_for_a_number_is_refused(survey):
    client, questionnaire, url = survey
    index, q = _first(questionnaire, "number")
    response = _post_page(
        client, questionnaire, url, index, typical_answers(questionnaire), **{f"q_{q.id}": "lots"}
    )
    assert field_error(response.text, f"q-{q.id}") == "Please enter a number."
    assert 'value="lots"' in response.text


def test_missing_required_answers_are_named_on_continue_but_a_plain_save_keeps_the_draft(
    survey, app
):
    client, questionnaire, url = survey
    page = questionnaire.pages[0]
    required = [q for q in page.questions if q.required and not q.relevant]
    response = _post_page(client, questionnaire, url, 0, {})
    assert response.status_code == 200
    for q in required:  # a share computed from figures asks for the figures instead
        derived = q.extra.get("derive")
        wanted = "Enter the figures above" if derived else "Please answer this question"
        assert wanted in field_error(response.text, f"q-{q.id}")
    saved = _post_page(client, questionnaire, url, 0, {}, nav="save")
    assert saved.status_code == 302


def test_a_choice_not_in_the_list_is_refused(survey):
    client, questionnaire, url = survey
    index, q = _first(questionnaire, "single")
    response = _post_page(
        client, questionnaire, url, index, typical_answers(questionnaire), **{f"q_{q.id}": "hacked"}
    )
    assert field_error(response.text, f"q-{q.id}") == "Please choose one of the listed answers."
    index, q = _first(questionnaire, "multi")
    response = _post_page(
        client,
        questionnaire,
        url,
        index,
        typical_answers(questionnaire),
        **{f"q_{q.id}": ["x1", "x2"]},
    )
    assert field_error(response.text, f"q-{q.id}") == "Please choose only from the listed answers."


def test_exclusive_choice_combined_with_others_is_refused(survey):
    client, questionnaire, url = survey
    for p in questionnaire.pages:
        for q in p.questions:
            exclusive = [c for c in q.choices if c.exclusive]
            if q.type == "multi" and exclusive and not q.relevant:
                other = next(c for c in q.choices if not c.exclusive)
                response = _post_page(
                    client,
                    questionnaire,
                    url,
                    p.index,
                    typical_answers(questionnaire),
                    **{f"q_{q.id}": [other.value, exclusive[0].value]},
                )
                error = field_error(response.text, f"q-{q.id}")
                # The page is in English (the fixture): the choice is named by its English label.
                assert f"'{exclusive[0].label.en}' cannot be combined" in error
                return
    pytest.fail("no multi question with an exclusive choice")


def test_over_long_text_is_refused_and_kept(survey):
    client, questionnaire, url = survey
    index, q = _first(questionnaire, "text")
    long_text = "很长的回答" * 400
    response = _post_page(
        client,
        questionnaire,
        url,
        index,
        typical_answers(questionnaire),
        **{f"q_{q.id}": long_text},
    )
    assert "Please keep this under" in field_error(response.text, f"q-{q.id}")
    assert long_text in response.text


def test_tampered_lock_version_never_overwrites_silently(survey, app):
    client, questionnaire, url = survey
    answers = typical_answers(questionnaire)
    response = _post_page(client, questionnaire, url, 0, answers, lock_version="abc")
    assert response.status_code == 200
    assert "have NOT been saved yet" in response.text
    # The posted answers are on the page, with a fresh lock: saving again stores them.
    first = next(
        q for q in questionnaire.pages[0].questions if q.type == "single" and q.id in answers
    )
    assert f'value="{answers[first.id]}" checked' in response.text
    again = client.post(
        url, data=page_form(questionnaire, 0, answers, lock=lock_version(response.text))
    )
    assert again.status_code == 302


def test_two_tabs_on_one_draft_do_not_overwrite_each_other(survey, app):
    client, questionnaire, url = survey
    answers = typical_answers(questionnaire, "worst")
    better = typical_answers(questionnaire, "best")
    stale_lock = lock_version(client.get(url).text)
    # Tab 1 saves first.
    assert (
        client.post(url, data=page_form(questionnaire, 0, better, lock=stale_lock)).status_code
        == 302
    )
    # Tab 2 still has the old lock: it is told, and shown what tab 1 saved.
    response = client.post(url, data=page_form(questionnaire, 0, answers, lock=stale_lock))
    assert response.status_code == 200
    assert "changed in another window or tab" in response.text
    assert "Saved in the other window" in response.text
    with app_session(app) as s:
        draft = s.scalar(select(Assessment))
        first = next(q for q in questionnaire.pages[0].questions if q.type == "single")
        assert draft.answers[first.id] == better[first.id] != answers[first.id]


def test_unknown_fields_and_out_of_range_pages_do_not_break_anything(survey):
    client, questionnaire, url = survey
    response = _post_page(
        client, questionnaire, url, 0, typical_answers(questionnaire), q_nonexistent="1", nav="warp"
    )
    assert response.status_code == 302
    base = url.rsplit("/", 1)[0]
    assert client.get(f"{base}/99").status_code == 404
    assert client.get(f"{base}/-1").status_code == 404
    assert client.post("/my/start/no-such-questionnaire").status_code == 404


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_an_expired_csrf_token_keeps_the_posted_answers(csrf_app, registry):
    app = csrf_app
    client = app.test_client()
    token = csrf_from(client.get("/auth/register").text)
    assert (
        client.post("/auth/register", data={**registration(), "csrf_token": token}).status_code
        == 302
    )
    questionnaire = registry.get("lianghua")
    token = csrf_from(client.get("/my").text)
    url = client.post("/my/start/lianghua", data={"csrf_token": token}).headers["Location"]
    answers = typical_answers(questionnaire)
    page = client.get(url).text
    data = page_form(questionnaire, 0, answers, lock=lock_version(page))
    data["csrf_token"] = "expired-or-forged-token"
    response = client.post(url, data=data)
    assert response.status_code == 200
    expired = "页面已过期，下方答案尚未保存。请核对后再次点击“保存”。"  # Chinese: the default
    assert expired in response.text
    for q in questionnaire.pages[0].questions:
        if q.type == "single" and q.id in answers:
            assert f'value="{answers[q.id]}" checked' in response.text
    # Nothing was saved by the forged request, and the fresh token on the page works.
    data["csrf_token"] = csrf_from(response.text)
    data["lock_version"] = lock_version(response.text)
    assert client.post(url, data=data).status_code == 302


def test_expired_csrf_on_registration_keeps_the_typed_fields(csrf_app):
    app = csrf_app
    client = app.test_client()
    response = client.post("/auth/register", data={**registration(), "csrf_token": "stale"})
    assert response.status_code == 200
    assert "慈溪市示例电器有限公司" in response.text
    with app_session(app) as s:
        assert s.scalar(select(func.count(Enterprise.id))) == 0
