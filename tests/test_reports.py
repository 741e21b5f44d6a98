"""The PDF diagnosis report: content in both languages, page numbers, fonts (embedded subset and the
built-in fallback), hostile text, the download route, its access rules and the CLI command."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from assessment.core.questionnaire.loader import load_file
from assessment.core.questionnaire.model import NA
from assessment.core.scoring import score
from assessment.services import results
from assessment.services.accounts import hash_password
from assessment.services.benchmarks import Benchmarks
from assessment.services.cache import bump_generation
from assessment.services.models import (
    Assessment,
    AuditEvent,
    DimensionScore,
    Enterprise,
    User,
    utcnow,
)
from assessment.web.extensions import db
from reports import build_report
from reports import fonts as report_fonts
from reports.bidi import has_rtl
from reports.filenames import content_disposition, report_filename
from reports.i18n import translator

from . import factories as f
from .conftest import app_session
from .helpers import USCC_B, login, logout, register, set_english, start, typical_answers

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
POPPLER = bool(shutil.which("pdftotext") and shutil.which("pdffonts"))
NEEDS_POPPLER = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftotext, pdffonts) missing"
)
MINI, _ = load_file(Path(__file__).parent / "data" / "mini-1.yaml")
NAME = "慈溪市示例电器有限公司"
WINDOWS_FORBIDDEN = set('\\/:*?"<>|')


# --- helpers ---------------------------------------------------------------------------------


def store(session, ent, questionnaire, answers, days_ago=3.0) -> Assessment:
    """A submitted assessment with real answers and the engine's scores (the enterprise's latest)."""
    result = score(questionnaire, answers)
    when = utcnow() - timedelta(days=days_ago)
    session.execute(
        update(Assessment)
        .where(Assessment.enterprise_id == ent.id, Assessment.questionnaire_id == questionnaire.id)
        .values(is_latest=False)
    )
    a = Assessment(enterprise=ent, questionnaire_id=questionnaire.id,
                   questionnaire_version=questionnaire.version, status="submitted",
                   answers=answers, total=result.total, stage=result.stage,
                   industry=ent.industry, town=ent.town, size_class=ent.size_class,
                   is_demo=ent.is_demo, is_latest=True, submitted_at=when, created_at=when,
                   updated_at=when)  # fmt: skip
    session.add(a)
    session.flush()
    session.add_all(
        DimensionScore(assessment_id=a.id, dimension_id=d, score=r.score)
        for d, r in result.dimensions.items()
        if r.score is not None
    )
    bump_generation(session)
    session.commit()
    return a


def peers(session, questionnaire, totals, industry="appliances", town="zhouxiang", size="small"):
    for total in totals:
        ent = f.enterprise(session, industry, town, size)
        f.submitted(session, ent, total, {d.id: total for d in questionnaire.dimensions},
                    questionnaire=questionnaire.id, version=questionnaire.version)  # fmt: skip
    bump_generation(session)
    session.commit()


def view_of(app, assessment, questionnaire, lang="zh"):
    benchmarks = Benchmarks(db.session, cache=app.extensions["cache"])
    na = translator(lang).gettext("Not applicable")
    return results.build(db.session, assessment, questionnaire, benchmarks, lang, na)


def pages_of(pdf: bytes) -> list[str]:
    """The text of each page (pypdf)."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def poppler(tool: str, pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    args = [tool, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def fresh_fonts():
    """Font discovery runs again in this test and again after it."""
    report_fonts.reset_cache()
    yield
    report_fonts.reset_cache()


@pytest.fixture
def demo(app):
    """An appliance maker with six peers and two assessments (so the report shows progress)."""
    q = app.extensions["questionnaires"].get("lianghua")
    with app_session(app) as s:
        peers(s, q, [10, 20, 30, 40, 80, 90])
        ent = f.enterprise(s)
        ent.name = NAME
        store(s, ent, q, typical_answers(q, "worst"), days_ago=200)
        a = store(s, ent, q, typical_answers(q))
        yield a, q


# --- content -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_names_the_enterprise_and_score_with_consistent_page_numbers(app, demo, lang):
    a, q = demo
    pdf = build_report(view_of(app, a, q, lang), lang, generated_at=datetime(2025, 5, 6, 1, 0))
    pages = pages_of(pdf)
    text = "\n".join(pages)
    assert NAME in pages[0] and a.enterprise.uscc in pages[0]
    assert f"{a.total:.1f}" in pages[0] and f"{a.total:.1f}" in pages[1]
    assert "2025-05-06" in pages[0]  # the report date, in Asia/Shanghai
    # cover, summary (+ peers, progress), 5 dimensions, roadmap, method: 8 to 14 pages
    assert 8 <= len(pages) <= 14
    for number, page in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in page, f"page {number} footer"
        assert NAME in page  # the header
    words = {
        "zh": ["数字化水平诊断报告", "统一社会信用代码", "评估摘要", "您领先于慈溪", "与上次评估相比的进步",
               "各维度得分及失分原因", "下一步行动建议", "完成前 3 项后", "方法与数据说明", "不构成认证"],
        "en": ["Digital maturity diagnosis report", "Unified social credit code", "Executive summary",
               "You are ahead of", "Progress since your previous assessment",
               "Score by dimension and why", "Your next steps", "After the top 3 steps",
               "Method and data notes", "not a certification"],
    }[lang]  # fmt: skip
    for word in words:
        assert squash(word) in squash(text), word
    assert squash(words[-2]) in squash(pages[-1]) or squash(words[-2]) in squash(pages[-2])
    for d in q.dimensions:
        assert squash(d.title.get(lang)) in squash(text)


def test_no_peers_not_applicable_dimension_and_free_text(app):
    """The mini questionnaire has no peers at all; its "apps" dimension is entirely N/A here."""
    answers = {"net": "office", "measures": ["fw"], "rate": 30, "erp": NA, "staff": NA,
               "notes": "用友 U8 & 钉钉 <审批>"}  # fmt: skip
    with app_session(app) as s:
        a = store(s, f.enterprise(s), MINI, answers)
        assert score(MINI, answers).dimensions["apps"].score is None
        text = "\n".join(pages_of(build_report(view_of(app, a, MINI), "zh")))
    assert "目前参评企业数量不足，暂无法与同行比较" in squash(text)
    assert "为保护企业数据，不予显示" in squash(text)
    assert "本维度所有题目均选择了“不适用”，不计入总分。" in squash(text)
    assert squash("用友 U8 & 钉钉 <审批>") in squash(text)  # the free-text answer, as typed


def test_all_best_answers_say_no_step_is_left(app):
    best = typical_answers(MINI, "best")
    with app_session(app) as s:
        a = store(s, f.enterprise(s), MINI, best)
        view = view_of(app, a, MINI, "en")
        assert view.steps == [] and view.result.total == 100
        text = squash("\n".join(pages_of(build_report(view, "en"))))
    assert squash("No recommendation left: every question") in text
    assert "100.0" in text


# --- fonts -------------------------------------------------------------------------------------


@NEEDS_POPPLER
@pytest.mark.skipif(not WQY.exists(), reason="fonts-wqy-microhei is not installed")
def test_the_cjk_font_is_embedded_as_a_subset(app, demo, tmp_path, fresh_fonts):
    a, q = demo
    pdf = build_report(view_of(app, a, q), "zh")
    fonts = poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts, "no font in the PDF"
    assert any("WenQuanYi" in line and "TrueType" in line for line in fonts)
    for line in fonts:  # every font is an embedded subset; no unembedded Helvetica
        assert re.search(r"\byes\s+yes\s+yes\b", line), line
    assert NAME in poppler("pdftotext", pdf, tmp_path)


def test_an_unusable_configured_font_is_skipped(app, demo, tmp_path, fresh_fonts):
    a, q = demo
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all" * 50)
    pdf = build_report(view_of(app, a, q), "zh", font_path=str(broken))
    assert NAME in pages_of(pdf)[0]
    chosen = report_fonts.report_fonts(str(broken))
    assert chosen.path != str(broken)


def test_without_any_truetype_font_the_builtin_cid_font_is_used(
    app, demo, tmp_path, monkeypatch, caplog, fresh_fonts
):
    a, q = demo
    monkeypatch.setattr(report_fonts, "CJK_CANDIDATES", ())
    caplog.set_level("WARNING", logger="reports.fonts")
    view = view_of(app, a, q)
    pdfs = [build_report(view, "zh", font_path="/no/such/font.ttf") for _ in range(2)]
    assert report_fonts.report_fonts("/no/such/font.ttf").regular == "STSong-Light"
    choices = [r for r in caplog.records if "STSong-Light" in r.getMessage()]
    assert len(choices) == 1  # logged once, not per report
    for pdf in pdfs:
        text = pages_of(pdf)[0]
        assert pdf.startswith(b"%PDF") and a.enterprise.uscc in text and f"{a.total:.1f}" in text
    if POPPLER:
        fonts = poppler("pdffonts", pdfs[0], tmp_path)
        assert "STSong-Light" in fonts and "CID Type 0" in fonts


# --- hostile text ------------------------------------------------------------------------------

HOSTILE = [
    "A&B <C> \"D\" 'E' 😀",
    "X" * 300,
    "<b>粗体</b> &amp; <font name='Nope'>x</font> ]]>",
    'חברה לדוגמה בע"מ',
    "شركة الاختبار للصناعات",
]


def test_hostile_names_and_answers_render_as_typed(app, demo, tmp_path):
    a, q = demo
    for name in HOSTILE:
        with db.session.no_autoflush:  # 300 characters exceed the column: never written
            a.enterprise.name = name
            a.answers = {**a.answers, "f_main_systems": f"{name}\n第二行"}
            pdf = build_report(view_of(app, a, q), "en")
        db.session.rollback()
        pages = pages_of(pdf)
        assert len(pages) >= 8, name
        if has_rtl(name):  # pypdf reads the letters in visual order; poppler in typed order
            assert all(ch in pages[0] for ch in name), name
            if POPPLER:
                assert name in poppler("pdftotext", pdf, tmp_path)
        else:
            assert squash(name) in squash(pages[0]), name  # the cover: markup shows as typed
            assert squash(name) in squash("".join(pages[3:6])), name  # the free-text answer


def test_download_file_names_are_windows_safe():
    day = datetime(2025, 3, 4).date()
    for name in HOSTILE + ["CON", "a/b\\c:d*e?f|g\x01h. ", NAME]:
        unicode_name, ascii_name = report_filename(name, day, "两化融合评估", "lianghua")
        for file_name in (unicode_name, ascii_name):
            assert not WINDOWS_FORBIDDEN & set(file_name) and file_name.isprintable()
            assert file_name.endswith("2025-03-04.pdf") and len(file_name) <= 120
            assert file_name.split(".")[0].upper() != "CON"
        assert ascii_name.isascii()
    assert report_filename(NAME, day, "两化融合评估", "lianghua") == (
        f"{NAME}_两化融合评估_2025-03-04.pdf",
        "report_lianghua_2025-03-04.pdf",
    )
    header = content_disposition(NAME, day, "两化融合评估", "lianghua")
    assert header.startswith('attachment; filename="report_lianghua_2025-03-04.pdf"; ')
    assert unquote(header.split("filename*=UTF-8''")[1]) == f"{NAME}_两化融合评估_2025-03-04.pdf"


# --- web and CLI -------------------------------------------------------------------------------


def own_assessment(app) -> str:
    """An assessment of the signed-in enterprise (registered through the web); its public id."""
    q = app.extensions["questionnaires"].get("lianghua")
    with app_session(app) as s:
        ent = s.scalars(select(Enterprise).order_by(Enterprise.id.desc())).first()
        return store(s, ent, q, typical_answers(q)).public_id


def test_download_in_the_users_language_with_safe_file_names(client, app):
    register(client)  # 慈溪市示例电器有限公司
    public_id = own_assessment(app)
    assert f"/a/{public_id}/report.pdf" in client.get(f"/a/{public_id}/result").text
    response = client.get(f"/a/{public_id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    ascii_name = re.search(r'filename="([^"]+)"', disposition).group(1)
    unicode_name = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    assert ascii_name.isascii() and ascii_name.startswith("report_lianghua_")
    assert unicode_name.startswith(f"{NAME}_两化融合") and unicode_name.endswith(".pdf")
    assert not WINDOWS_FORBIDDEN & set(unicode_name)
    assert "数字化水平诊断报告" in pages_of(response.data)[0]
    english = client.get(f"/a/{public_id}/report.pdf?lang=en")
    assert "Digital maturity diagnosis report" in pages_of(english.data)[0]
    set_english(client)
    assert "Digital maturity" in pages_of(client.get(f"/a/{public_id}/report.pdf").data)[0]
    with app_session(app) as s:  # an enterprise's own download is not a bureau access
        assert s.scalar(select(AuditEvent).where(AuditEvent.target_id == public_id)) is None


def test_only_the_owner_may_download_and_drafts_have_no_report(client, app):
    register(client)
    public_id = own_assessment(app)
    logout(client)
    anonymous = client.get(f"/a/{public_id}/report.pdf")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    register(client, uscc=USCC_B, email="b@example.com", name="另一家企业")
    assert client.get(f"/a/{public_id}/report.pdf").status_code == 404
    draft = start(client, "cloud").split("/a/")[1].split("/")[0]
    assert client.get(f"/a/{draft}/report.pdf").status_code == 404
    assert client.get("/a/no-such-id/report.pdf").status_code == 404


def test_bureau_downloads_any_report_and_it_is_audited(client, app):
    register(client)
    public_id = own_assessment(app)
    logout(client)
    with app_session(app) as s:
        s.add(User(email="analyst@jxj.example", role="bureau",
                            password_hash=hash_password("Bureau-Pass-2025")))  # fmt: skip
        s.commit()
    login(client, "analyst@jxj.example", "Bureau-Pass-2025")
    assert client.get(f"/a/{public_id}/report.pdf").status_code == 200
    with app_session(app) as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.target_id == public_id))
        assert event is not None and event.action == "download_report"


def test_cli_writes_reports_by_numeric_or_public_id_and_fails_clearly(app, demo, tmp_path):
    a, _q = demo
    runner = app.test_cli_runner()
    by_id = runner.invoke(args=["report", str(a.id), "--out", str(tmp_path / "zh.pdf")])
    assert by_id.exit_code == 0, by_id.output
    assert NAME in pages_of((tmp_path / "zh.pdf").read_bytes())[0]
    by_public = runner.invoke(
        args=["report", a.public_id, "--out", str(tmp_path / "en.pdf"), "--lang", "en"]
    )
    assert by_public.exit_code == 0, by_public.output
    assert "Digital maturity" in pages_of((tmp_path / "en.pdf").read_bytes())[0]
    unknown = runner.invoke(args=["report", "999999", "--out", str(tmp_path / "x.pdf")])
    assert (
        unknown.exit_code == 1 and "no assessment with id or public id '999999'" in unknown.output
    )
    assert not (tmp_path / "x.pdf").exists()
    with app_session(app) as s:
        draft = Assessment(enterprise_id=a.enterprise_id, questionnaire_id="cloud",
                           questionnaire_version="2025.1", status="draft", answers={})  # fmt: skip
        s.add(draft)
        s.commit()
        draft_id = draft.id
    refused = runner.invoke(args=["report", str(draft_id), "--out", str(tmp_path / "d.pdf")])
    assert refused.exit_code == 1 and "draft" in refused.output
