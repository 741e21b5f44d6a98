"""Accessibility in a real browser: axe-core on the key pages (no serious or critical violation),
a survey page completed with the keyboard only, choice groups as fieldset/legend, and every error
message linked to its field with aria-describedby."""

from __future__ import annotations

import pytest

from assessment.core.questionnaire.answers import coerce, relevant_ids
from tests.helpers import USCC_A, registration

from .conftest import (
    DEMO_BUREAU,
    DEMO_ENTERPRISE,
    DEMO_PASSWORD,
    answer_visible_questions,
    click_and_wait,
    page_index,
    register,
    serious_violations,
    sign_in,
    sign_out,
    start_questionnaire,
)

pytestmark = pytest.mark.browser


def _assert_clean(found: list[str]) -> None:
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def _submit_bad_registration(site) -> None:
    page = site.page
    page.goto("/auth/register")
    page.fill("#uscc", USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1"))  # wrong check digit
    page.fill("#name", "慈溪市示例电器有限公司")
    page.fill("#employees", "-3")
    page.fill("#email", "not-an-email")
    page.fill("#password", "short")
    page.fill("#password2", "different")
    click_and_wait(page, "main form button[type=submit]")
    assert site.path() == "/auth/register"
    assert page.locator(".field-error").count() >= 4


# --- axe-core -----------------------------------------------------------------------------------


def test_axe_public_pages(open_site):
    site = open_site()
    page = site.page
    found = []
    page.goto("/")
    found += serious_violations(site, "landing")
    site.shot("a11y-landing")
    page.goto("/auth/register")
    found += serious_violations(site, "registration")
    _submit_bad_registration(site)
    found += serious_violations(site, "registration with errors")
    site.shot("a11y-registration-errors")
    page.goto("/auth/login")
    found += serious_violations(site, "sign in")
    _assert_clean(found)


def test_axe_survey_and_result_pages(open_site):
    site = open_site(demo=12)
    page = site.page
    found = []
    sign_in(site, DEMO_ENTERPRISE, DEMO_PASSWORD)
    page.goto("/my")
    found += serious_violations(site, "my assessments")

    result = page.locator("main a[href$='/result']").first
    click_and_wait(page, result)
    assert page.locator("#total-score").count() == 1
    assert page.locator("#peers figure svg").count() >= 1, "no radar on the result page"
    found += serious_violations(site, "result")
    site.shot("a11y-result")

    page.goto("/my")
    start_questionnaire(site, "lianghua")
    assert page_index(site) == 0
    found += serious_violations(site, "survey page")
    click_and_wait(page, "form.survey-form .form-actions button[value=next]")
    assert page.locator(".question.has-error").count() > 0
    found += serious_violations(site, "survey page with errors")
    site.shot("a11y-survey-errors")
    _assert_clean(found)


def test_axe_bureau_dashboard(open_site):
    site = open_site(demo=30)
    page = site.page
    sign_in(site, DEMO_BUREAU, DEMO_PASSWORD)
    page.goto("/bureau/")
    assert page.locator("main figure svg").count() >= 2
    found = serious_violations(site, "dashboard")
    site.shot("a11y-dashboard")
    page.goto("/bureau/enterprises")
    found += serious_violations(site, "enterprise list")
    _assert_clean(found)


# --- keyboard only ------------------------------------------------------------------------------

ACTIVE = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), type: e.type || null, name: e.name || null,
          value: e.value ?? null, checked: !!e.checked, text: (e.textContent || '').trim(), exclusive: !!(e.dataset && e.dataset.exclusive),
          primary: !!(e.closest && e.closest('.form-actions') && e.classList.contains('button-primary'))};
}"""


def test_a_survey_page_can_be_completed_with_the_keyboard_only(open_site):
    site = open_site()
    page = site.page
    register(site, registration(email="keyboard@example.com"))
    start_questionnaire(site, "lianghua")
    assert page_index(site) == 0
    questionnaire = site.questionnaire("lianghua")
    first_page_url = site.path()
    first = questionnaire.pages[0].questions[0]
    page.goto(first_page_url)  # a fresh load: the focus starts at the top of the document

    # Tab to the first choice of the first question.
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(ACTIVE)
        if state["name"] == f"q_{first.id}":
            break
    else:
        pytest.fail("Tab never reached the first choice of the first question")
    if first.type in ("single", "ladder", "multi"):
        assert state["value"] == first.choices[0].value, state

    chosen: dict[str, set[str]] = {}
    typed: dict[str, str] = {}
    for _ in range(300):
        if state["primary"]:
            break
        name, kind = state["name"] or "", state["type"]
        qid = name[2:]
        if kind == "radio" and name.startswith("q_") and qid not in chosen:
            page.keyboard.press("Space")  # choose the focused (first) choice …
            page.keyboard.press("ArrowDown")  # … then move to and choose the next one
            state = page.evaluate(ACTIVE)
            assert state["type"] == "radio" and state["checked"], state
            chosen[qid] = {state["value"]}
        elif kind == "checkbox" and name.startswith("q_") and qid not in chosen:
            if not state["exclusive"]:
                page.keyboard.press("Space")
                assert page.evaluate(ACTIVE)["checked"]
                chosen[qid] = {state["value"]}
        elif kind == "text" and name.startswith("q_") and qid not in typed:
            q = questionnaire.question(qid)
            # The smallest figure, but at least 1: a count of 0 machines cannot be divided by.
            least = q.min if q.min > 0 else min(q.max, 1)
            text = str(int(least) if least == int(least) else least)
            page.keyboard.type(text)
            typed[qid] = text
        page.keyboard.press("Tab")
        state = page.evaluate(ACTIVE)
    else:
        pytest.fail("Tab never reached the save-and-continue button")

    assert state["tag"] == "button" and state["value"] == "next", state
    assert "保存并继续" in state["text"], state
    assert chosen, "no choice was made with the keyboard"
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    errors = page.locator(".field-error").all_inner_texts()
    assert not errors, errors
    assert page_index(site) == 1, site.path()
    site.shot("a11y-keyboard-next-page")

    # Back on the first page, every keyboard answer is checked (or filled), except answers to a
    # conditional question whose condition the other answers did not meet (ignored on save).
    given = {
        qid: (sorted(v) if questionnaire.question(qid).type == "multi" else next(iter(v)))
        for qid, v in chosen.items()
    } | typed
    stored = {}
    for qid, raw in given.items():
        value, problem = coerce(questionnaire.question(qid), raw)
        assert problem is None, (qid, raw, problem)
        stored[qid] = value
    relevant = relevant_ids(questionnaire, stored)
    page.goto(first_page_url)
    for qid in set(given) - relevant:
        assert page.locator(f"[id='q-{qid}'].conditional").count() == 1, f"{qid} was ignored"
        assert page.locator(f"input[name='q_{qid}']:checked").count() == 0
    chosen = {qid: values for qid, values in chosen.items() if qid in relevant}
    typed = {qid: text for qid, text in typed.items() if qid in relevant}
    assert chosen, "no choice was made with the keyboard"
    for qid, values in chosen.items():
        for value in values:
            box = page.locator(f"input[name='q_{qid}'][value='{value}']")
            assert box.is_checked(), f"{qid}={value} was not saved"
        assert page.locator(f"input[name='q_{qid}']:checked").count() == len(values)
    for qid, text in typed.items():
        assert page.locator(f"input[name='q_{qid}']").input_value() == text


# --- structure and errors -----------------------------------------------------------------------

LINKS = """(selector) => Array.from(document.querySelectorAll(selector)).map(error => {
  const holder = error.closest('.field, .question');
  const owner = holder.matches('fieldset') ? holder : holder.querySelector('input:not([type=hidden]), select, textarea');
  return {id: error.id, text: error.textContent.trim(), holder: holder.id || holder.className,
          described: (owner && owner.getAttribute('aria-describedby')) || '',
          invalid: owner ? owner.getAttribute('aria-invalid') : null, owner: owner ? owner.tagName : null};
})"""


def test_registration_errors_are_linked_to_their_fields(open_site):
    site = open_site()
    page = site.page
    _submit_bad_registration(site)
    links = page.evaluate(LINKS, ".field-error")
    assert len(links) >= 4
    for link in links:
        assert link["id"], f"an error without id: {link}"
        assert link["id"] in link["described"].split(), link
        assert link["invalid"] == "true", link
    # The summary at the top links to each field in error.
    for href in page.eval_on_selector_all(
        "main .notice-error a[href^='#']", "els => els.map(e => e.getAttribute('href'))"
    ):
        assert page.locator(href).count() == 1, href


def test_survey_errors_are_linked_and_choice_groups_are_fieldsets(open_site):
    site = open_site()
    page = site.page
    register(site, registration(email="errors@example.com"))
    start_questionnaire(site, "lianghua")

    # Every radio and checkbox of a question sits in a fieldset whose first child is its legend.
    orphans = page.eval_on_selector_all(
        "form.survey-form .question input[type=radio], form.survey-form .question input[name^='q_'][type=checkbox]",
        """els => els.filter(e => { const f = e.closest('fieldset.question');
              return !f || !f.firstElementChild || f.firstElementChild.tagName !== 'LEGEND'; })
            .map(e => e.name)""",
    )
    assert not orphans, orphans

    click_and_wait(page, "form.survey-form .form-actions button[value=next]")
    assert page_index(site) == 0, "an empty page was accepted"
    assert page.locator(".notice[role=alert]").count() == 1
    groups = page.locator("fieldset.question.has-error")
    assert groups.count() > 0
    links = page.evaluate(LINKS, ".question .field-error")
    assert len(links) == page.locator(".question.has-error").count()
    for link in links:
        assert link["id"] and link["id"] in link["described"].split(), link
        if link["owner"] != "FIELDSET":
            assert link["invalid"] == "true", link
    site.shot("a11y-survey-errors-linked")

    # Answering the page clears every error.
    answer_visible_questions(site, site.questionnaire("lianghua"), {})
    click_and_wait(page, "form.survey-form .form-actions button[value=next]")
    assert page_index(site) == 1
    sign_out(site)
