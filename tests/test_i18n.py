"""Simplified Chinese by default, English on request, every message translated."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from markupsafe import escape

from .helpers import register, registration, save_page, set_english, start, typical_answers

PO = Path(__file__).resolve().parent.parent / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    with PO.open("rb") as source:
        catalog = read_po(source)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]}")
        elif sorted(PLACEHOLDER.findall(ids[-1])) != sorted(PLACEHOLDER.findall(strings[0])):
            problems.append(f"placeholders differ: {ids[0]}")
    assert problems == []
    assert len(catalog) > 100


def test_the_catalog_is_up_to_date_with_the_source(tmp_path):
    """Every marked string in code and templates is in the catalog (run `make translations`)."""
    root = PO.parents[3]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "lazy_gettext": None,
        "N_": None,
    }
    method_map = [
        ("assessment/**.py", "python"),
        ("reports/**.py", "python"),
        ("templates/**.html", "jinja2"),
    ]
    with PO.open("rb") as source:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(root),
        method_map=method_map,
        keywords=keywords,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}},
    ):
        found.add(message if isinstance(message, str) else message[0])
    missing = sorted(found - known)
    assert missing == [], f"not in the catalog (run `make translations`): {missing[:10]}"


def test_chinese_is_the_default_and_english_is_kept_in_the_session(client):
    home = client.get("/")
    assert 'lang="zh-Hans"' in home.text and "注册" in home.text
    switched = client.post("/language", data={"lang": "en", "next": "/auth/login"})
    assert switched.status_code == 302 and switched.headers["Location"] == "/auth/login"
    login = client.get("/auth/login")
    assert 'lang="en"' in login.text and "Sign in" in login.text
    assert "中文" in login.text  # the way back
    client.post("/language", data={"lang": "zh", "next": "/"})
    assert "登录" in client.get("/auth/login").text


def test_language_switch_refuses_open_redirects_and_unknown_languages(client):
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert 'lang="zh-Hans"' in client.get("/").text


def test_survey_and_result_render_in_both_languages(client, registry):
    questionnaire = registry.get("cloud")
    register(client)
    url = start(client, "cloud")
    first = questionnaire.pages[0].questions[0]
    zh_page = client.get(url).text
    assert first.text.zh in zh_page and "保存并继续" in zh_page
    set_english(client)
    en_page = client.get(url).text
    assert escape(first.text.en) in en_page
    assert "Save and continue" in en_page


def test_form_library_messages_are_translated_too(client):
    response = client.post("/auth/register", data=registration(employees="many"))
    assert "Not a valid integer value" not in response.text
    assert "整数" in response.text


def test_error_pages_are_translated(client):
    assert "页面不存在" in client.get("/no-such-page").text  # Chinese: the default
    set_english(client)
    assert "Page not found" in client.get("/no-such-page").text


def test_review_page_renders_answers_in_english(client, registry):
    questionnaire = registry.get("lianghua")
    register(client)
    set_english(client)
    url = start(client, "lianghua")
    answers = typical_answers(questionnaire)
    save_page(client, url, questionnaire, 0, answers)
    review = client.get(url.replace("/page/0", "/review")).text
    single = next(
        q for q in questionnaire.pages[0].questions if q.type == "single" and q.id in answers
    )
    label = single.choice(answers[single.id]).label.en
    assert escape(label) in review
