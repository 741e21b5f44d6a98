"""/api/v1 for an enterprise's own data: questionnaires, drafts, answers, submit, result, PDF."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC

from flask import Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy import select

from assessment.core.enums import Status
from assessment.core.questionnaire.answers import missing_required
from assessment.core.questionnaire.serialize import to_dict
from assessment.core.survey import REQUIRED
from assessment.services import api_answers, grants, idempotency, results, surveys
from assessment.services.api_tokens import READ_OWN, WRITE_OWN
from assessment.services.email_verification import must_verify
from assessment.services.models import Assessment
from assessment.web.api import acting, links
from assessment.web.api import schemas as s
from assessment.web.api.core import blueprint, scope_required
from assessment.web.api.problems import field_errors, problem
from assessment.web.context import benchmarks, report_pdf
from assessment.web.extensions import db
from assessment.web.i18n import current_lang

blp = blueprint("api_enterprise", "An enterprise's questionnaires and assessments.")


def registry():
    """The loaded questionnaire versions."""
    return current_app.extensions["questionnaires"]


def _assessment(public_id: str) -> Assessment:
    """One of the enterprise's assessments, else 404 (ids of others reveal nothing)."""
    found = db.session.scalars(
        select(Assessment).where(Assessment.public_id == public_id[:32])
    ).first()
    if found is None or found.enterprise_id != acting.enterprise().id:
        abort(404)
    return found


def _questionnaire(assessment: Assessment):
    questionnaire = registry().get(assessment.questionnaire_id, assessment.questionnaire_version)
    if questionnaire is None:
        abort(404)
    return questionnaire


def _view(assessment: Assessment) -> dict:
    """An assessment as the API shows it."""
    draft = assessment.status == Status.DRAFT
    questionnaire = _questionnaire(assessment)
    answers = assessment.answers or {}
    return {
        "id": assessment.public_id,
        "questionnaire": assessment.questionnaire_id,
        "version": assessment.questionnaire_version,
        "status": assessment.status,
        "lock_version": assessment.lock_version,
        "answers": answers,
        "missing": missing_required(questionnaire, answers) if draft else [],
        "unconfirmed": surveys.unconfirmed(questionnaire, assessment) if draft else [],
        "total": assessment.total,
        "stage": assessment.stage,
        "assisted_by": grants.provider_name(assessment.provider) or None,
        # Stored naive in UTC; RFC 3339 wants the offset.
        "submitted_at": assessment.submitted_at.replace(tzinfo=UTC)
        if assessment.submitted_at
        else None,
    }


@blp.get("/questionnaires")
@scope_required(READ_OWN)
@blp.response(200, s.QuestionnaireSchema(many=True))
def questionnaires():
    """Every questionnaire version; `current` marks the one new drafts use."""
    current = {(q.id, q.version) for q in registry().current()}
    return [
        {"id": q.id, "version": q.version, "title": q.title.as_dict(),
         "current": (q.id, q.version) in current}
        for q in registry().all()
    ]  # fmt: skip


@blp.get("/questionnaires/<qid>/versions/<version>")
@scope_required(READ_OWN)
@blp.response(200, s.DefinitionSchema)
def definition(qid: str, version: str):
    """A version's full definition: dimensions, levels, questions (types, choices, relevance),
    recommendations."""
    questionnaire = registry().get(qid, version)
    if questionnaire is None:
        abort(404)
    return jsonify(to_dict(questionnaire))


@blp.get("/assessments", parameters=acting.PARAMETERS)
@scope_required(READ_OWN)
@blp.response(200, s.AssessmentSchema(many=True))
def assessments():
    """The enterprise's assessments, newest first."""
    return [_view(item) for item in surveys.history(db.session, acting.enterprise())]


@blp.post("/assessments", parameters=acting.PARAMETERS)
@scope_required(WRITE_OWN)
@blp.arguments(s.StartSchema)
@blp.response(201, s.AssessmentSchema)
@blp.doc(**links.STARTED)
def start(body: dict):
    """Open the draft of a questionnaire (its current version), or the one already open."""
    questionnaire = registry().get(body["questionnaire"])
    if questionnaire is None:
        abort(422, messages={"questionnaire": [_("There is no such questionnaire.")]})
    return _view(surveys.start(db.session, acting.enterprise(), questionnaire, registry()))


@blp.get("/assessments/<public_id>", parameters=acting.PARAMETERS)
@scope_required(READ_OWN)
@blp.response(200, s.AssessmentSchema)
@blp.doc(**links.SHOWN)
def show(public_id: str):
    """One assessment: answers, lock version, what is still missing."""
    return _view(_assessment(public_id))


def _conflict(assessment: Assessment, submitted: bool) -> Response:
    db.session.refresh(assessment)
    detail = (_("This assessment was already submitted.") if submitted else
              _("The draft was saved elsewhere since lock_version; nothing was saved."))  # fmt: skip
    return problem(409, detail, current=s.AssessmentSchema().dump(_view(assessment)))


@blp.patch("/assessments/<public_id>/answers", parameters=acting.PARAMETERS)
@scope_required(WRITE_OWN)
@blp.arguments(s.AnswersSchema)
@blp.response(200, s.AssessmentSchema)
@blp.doc(**links.SAVED)
def save(body: dict, public_id: str):
    """Save answers (partial, any order; null clears one). Any invalid answer saves nothing
    (422 with every problem); a stale `lock_version` saves nothing (409 with the draft now)."""
    assessment = _assessment(public_id)
    questionnaire = _questionnaire(assessment)
    if assessment.status != Status.DRAFT:
        return _conflict(assessment, submitted=True)
    outcome = api_answers.save(db.session, questionnaire, assessment, body["answers"],
                               body["lock_version"], g.api_user)  # fmt: skip
    if outcome.problems:
        return problem(422, errors=field_errors(outcome.problems))
    if outcome.conflict or outcome.submitted:
        return _conflict(assessment, outcome.submitted)
    grants.record_work(db.session, g.api_user, assessment, "save", request.remote_addr)
    return _view(assessment)


@blp.post("/assessments/<public_id>/check", parameters=acting.PARAMETERS)
@scope_required(READ_OWN)
@blp.arguments(s.CheckSchema)
@blp.response(200, s.CheckResultSchema)
@blp.doc(**links.CHECKED)
def check(body: dict, public_id: str):
    """Check answers against the draft without saving: every problem at once, per question, and
    the required questions that would still be missing."""
    assessment = _assessment(public_id)
    checked = api_answers.check(_questionnaire(assessment), assessment, body["answers"])
    return {"valid": not checked.problems, "errors": field_errors(checked.problems),
            "missing": checked.missing}  # fmt: skip


@blp.post("/assessments/<public_id>/submit", parameters=acting.PARAMETERS)
@scope_required(WRITE_OWN)
@blp.arguments(s.SubmitHeaders, location="headers")
@blp.response(201, s.AssessmentSchema)
@blp.doc(**links.SUBMITTED)
def submit(headers: dict, public_id: str):
    """Submit the draft. With an `Idempotency-Key`, a retry returns the first response (never a
    second assessment); the same key on another request is refused (422)."""
    acting.enterprise()  # a provider's grant is checked before a stored response is returned
    key = headers.get("idempotency_key")
    token_id = g.api_token.id
    print_ = idempotency.fingerprint("POST", request.path, None)
    if key:
        stored = idempotency.find(db.session, token_id, key)
        if stored is not None and stored.fingerprint != print_:
            return problem(422, _("This Idempotency-Key was used for another request."),
                           {"Idempotency-Key": [_("Use a new key for a new request.")]})  # fmt: skip
        if stored is not None:
            return jsonify(stored.body), stored.status
    assessment = _assessment(public_id)
    if must_verify(g.api_user):
        return problem(403, _("Confirm your email address before submitting."))
    try:
        surveys.submit(db.session, assessment, _questionnaire(assessment), by=g.api_user,
                       registry=registry())  # fmt: skip
    except surveys.IncompleteError as exc:
        errors = field_errors({qid: REQUIRED for qid in exc.missing + exc.unconfirmed})
        return problem(422, _("Required answers are missing."), errors, missing=exc.missing)
    except surveys.ConflictError:
        return _conflict(assessment, submitted=True)
    grants.record_work(db.session, g.api_user, assessment, "submit", request.remote_addr)
    body = s.AssessmentSchema().dump(_view(assessment))
    if key:
        idempotency.store(db.session, token_id, key, print_, 201, body)
    return jsonify(body), 201


def _result(assessment: Assessment, view) -> dict:
    """A ResultView as JSON: what the result page shows (suppression included)."""
    return {
        "id": assessment.public_id,
        "questionnaire": assessment.questionnaire_id,
        "version": assessment.questionnaire_version,
        "total": view.result.total,
        "stage": view.result.stage,
        "level": {"id": view.level.id, "label": view.level.label.as_dict()},
        # As the result page and the PDF cover say it ("由 XX 服务商协助填写").
        "assisted_by": view.subject.assisted_by or None,
        "assisted_note": _(
            "Filled with the help of service provider %(name)s", name=view.subject.assisted_by
        )
        if view.subject.assisted_by
        else None,
        "dimensions": {d: r.score for d, r in view.result.dimensions.items()},
        "benchmarks": {
            kind: {
                "requested": asdict(c.requested),
                "shown": asdict(c.shown) if c.shown else None,
                "n": c.n,
                "suppressed": c.shown is None,
                "stats": {m: asdict(st) for m, st in c.stats.items()} if c.shown else {},
                "percentile": dict(c.percentile) if c.shown else {},
            }
            for kind, c in view.comparisons.items()
        },  # fmt: skip
        "min_cohort": view.min_cohort,
        "recommendations": [
            {
                "id": st.id,
                "question": st.recommendation.question,
                "dimension": st.dimension,
                "title": st.recommendation.title.as_dict(),
                "action": st.recommendation.action.as_dict(),
                "effort": st.recommendation.effort,
                "horizon": st.recommendation.horizon,
                "gain": st.gain,
            }
            for st in view.steps
        ],  # fmt: skip
        "projections": [
            {"horizon": h, "total": r.total, "stage": r.stage}
            for h, r in sorted(view.projections.items())
        ],  # fmt: skip
    }


def _submitted(public_id: str) -> Assessment:
    assessment = _assessment(public_id)
    if assessment.status != Status.SUBMITTED:
        abort(404, detail=_("This assessment is not submitted yet."))
    return assessment


@blp.get("/assessments/<public_id>/result", parameters=acting.PARAMETERS)
@scope_required(READ_OWN)
@blp.response(200, s.ResultSchema)
def result(public_id: str):
    """Scores, level, benchmarks (cohorts under the minimum size are suppressed), ranked
    recommendations and the what-if projection."""
    assessment = _submitted(public_id)
    lang = current_lang()
    view = results.build(db.session, assessment, _questionnaire(assessment), benchmarks(), lang,
                         _("Not applicable"))  # fmt: skip
    return _result(assessment, view)


@blp.get("/assessments/<public_id>/report.pdf", parameters=acting.PARAMETERS)
@scope_required(READ_OWN)
@blp.arguments(s.LangQuery, location="query")
@blp.response(200, content_type="application/pdf",
              description="The PDF report.")  # fmt: skip
def report(query: dict, public_id: str):
    """The diagnosis report (PDF), in `lang` or the request's language."""
    assessment = _submitted(public_id)
    lang = query.get("lang") or current_lang()
    pdf = report_pdf(assessment, _questionnaire(assessment), lang)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Cache-Control": "private, no-store"})  # fmt: skip
