"""Charts as a user reads them (titles, legends, values, bins) in the language asked for, and the
headline under the total score: the result page and the PDF say the same sentences."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlalchemy import select

from assessment.core.charts import (
    chart_texts,
    dashboard_figures,
    history_line,
    result_figures,
    to_svg,
)
from assessment.services.models import Assessment
from reports import build_report
from reports.i18n import translator

from . import factories as f
from .conftest import app_session
from .helpers import register, set_english, typical_answers
from .test_reports import pages_of, squash, store, view_of
from .test_reports import peers as stored_peers
from .test_results_page import peers as web_peers
from .test_results_page import submit_via_web

LEGEND = {
    "en": ("Your enterprise", "Cixi average", "Industry average"),
    "zh": ("本企业", "全市平均", "同行业平均"),
}


def texts(lang: str) -> dict[str, str]:
    return chart_texts(translator(lang).gettext)


def labels(svg: str) -> list[str]:
    """The text of every label in an SVG chart, as a reader sees it."""
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg)]


@pytest.fixture
def result_view(app):
    """An appliance maker with six appliance peers in Cixi: city and industry are both shown."""
    q = app.extensions["questionnaires"].get("lianghua")
    with app_session(app) as s:
        stored_peers(s, q, [10, 20, 30, 40, 80, 90])
        a = store(s, f.enterprise(s), q, typical_answers(q))
        yield lambda lang: view_of(app, a, q, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_radar_names_every_dimension_and_series_in_the_language_asked(result_view, lang):
    view = result_view(lang)
    svg = to_svg(result_figures(view, lang, texts(lang))["radar"])
    shown = labels(svg)
    for d in view.questionnaire.dimensions:
        assert d.title.get(lang) in shown
    for name in LEGEND[lang]:
        assert name in shown
    other = "zh" if lang == "en" else "en"
    assert not set(LEGEND[other]) & set(shown)
    assert f"<title>{html.escape(texts(lang)['radar_title'])}</title>" in svg


def test_band_bars_show_each_dimension_score_to_one_decimal(result_view):
    view = result_view("en")
    svg = to_svg(result_figures(view, "en", texts("en"))["bands"])
    for d in view.questionnaire.dimensions:
        value = view.result.dimensions[d.id].score
        assert f'font-weight="700">{value:.1f}</text>' in svg, d.id
    assert {"Your enterprise", "Peers P25–P75", "Peer median"} <= set(labels(svg))


@dataclass
class Numbers:
    """What a dashboard shows, as the services layer computes it."""

    participants: int = 4
    stages: dict = field(default_factory=lambda: {"starting": 2, "integration": 2})
    histogram: list = field(default_factory=lambda: [0, 0, 1, 0, 1, 0, 1, 0, 1, 0])
    trend: list = field(default_factory=lambda: [("2025Q3", 5, 48.0), ("2025Q4", 3, 52.5)])


def test_the_histogram_has_one_bar_label_per_ten_point_bin(registry):
    q = registry.get("lianghua")
    figures = dashboard_figures(Numbers(), q.levels, "en", texts("en"))
    shown = labels(to_svg(figures["histogram"]))
    bins = [f"{10 * i}–{10 * (i + 1)}" for i in range(10)]
    assert [label for label in shown if "–" in label] == bins
    assert set(figures) == {"stages", "histogram", "trend"}
    assert {"2025Q3", "2025Q4", "48.0", "52.5"} <= set(labels(to_svg(figures["trend"])))


def test_no_participants_means_no_stage_or_histogram_chart(registry):
    empty = Numbers(participants=0, stages={}, histogram=[0] * 10, trend=[])
    assert dashboard_figures(empty, registry.get("lianghua").levels, "zh", texts("zh")) == {}


def test_history_line_names_the_questionnaire_and_the_months(registry):
    q = registry.get("lianghua")
    points = [(datetime(2025, 3, 4), 41.5), (datetime(2025, 11, 20), 63.0)]
    fig = history_line(points, q.title.get("zh"), texts("zh"))
    assert fig.title == f"总分变化趋势：{q.title.get('zh')}"
    assert {"2025-03", "2025-11", "41.5", "63.0"} <= set(labels(to_svg(fig)))


def test_chart_texts_come_out_in_the_translators_language():
    zh, en = texts("zh"), texts("en")
    assert zh.keys() == en.keys()
    assert en["me"] == "Your enterprise" and zh["me"] == "本企业"
    assert en["histogram_title"] == "Enterprises by total score"
    for key, text in zh.items():
        assert re.search(r"[\u4e00-\u9fff]", text), f"{key} is not translated: {text}"


HEADLINES = {
    # name: (peers' totals and cohort, questionnaire, the page's headline element ids)
    "industry": ([10, 20, 30, 40, 80, 90], {}, "lianghua", ["city", "industry"]),
    "fallback": (
        [30, 40, 50, 60, 70],
        {"industry": "bearings", "town": "hushan", "size": "medium"},
        "cloud",
        ["city", "industry-fallback"],
    ),
    "alone": ([], {}, "lianghua", ["no-peers"]),
}
PDF_HEADLINE = re.compile(
    r"Youareaheadof\d+%of.*?inCixi\."
    r"|Fewerthan\d+peershavesubmittedinyourindustry.*?separately\."
    r"|Notenoughenterpriseshavesubmitted.*?withpeers\."
)


@pytest.mark.parametrize("case", HEADLINES)
def test_the_page_and_the_pdf_say_the_same_headline(client, app, registry, case):
    totals, cohort, qid, ids = HEADLINES[case]
    q = registry.get(qid)
    if totals:
        web_peers(app, totals, questionnaire=qid, **cohort)
    register(client)  # a small appliance maker in Zhouxiang
    url = submit_via_web(client, q, typical_answers(q))
    set_english(client)
    page = client.get(url).text
    on_page = re.findall(r'<p class="ahead" id="ahead-([a-z-]+)">(.*?)</p>', page, re.S)
    assert [key for key, _text in on_page] == ids
    public_id = url.split("/a/")[1].split("/")[0]
    with app_session(app) as s:
        a = s.scalar(select(Assessment).where(Assessment.public_id == public_id))
        pdf = squash("\n".join(pages_of(build_report(view_of(app, a, q, "en"), "en"))))
    assert PDF_HEADLINE.findall(pdf) == [squash(html.unescape(text)) for _key, text in on_page]
