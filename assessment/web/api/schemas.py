"""The API's request and response schemas (marshmallow), declared once: they validate requests,
shape responses and generate the OpenAPI document."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

ANY = fields.Raw(allow_none=True)


class Strict(Schema):
    """Unknown fields are refused (422 naming them), not silently ignored."""

    class Meta:
        unknown = RAISE


class ProblemSchema(Schema):
    """An error (RFC 9457)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True,
        metadata={"description": "Per field: its problems, in the request's language."},
    )  # fmt: skip
    current = fields.Dict(metadata={"description": "On a 409 edit conflict: the draft now."})
    missing = fields.List(fields.String(), metadata={"description": "Unanswered required ids."})


class QuestionnaireSchema(Schema):
    """A questionnaire version."""

    id = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    current = fields.Boolean(required=True)


class DefinitionSchema(Schema):
    """A version's full definition (as `flask questionnaire show --format json` prints it;
    more keys than these)."""

    id = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.Dict(required=True)
    dimensions = fields.List(fields.Dict(), required=True)


class AssessmentSchema(Schema):
    """A draft or a submitted assessment of the token's enterprise."""

    id = fields.String(required=True, metadata={"description": "The assessment's public id."})
    questionnaire = fields.String(required=True)
    version = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["draft", "submitted"]))
    lock_version = fields.Integer(required=True,
                                  metadata={"description": "Send it back when saving answers."})  # fmt: skip
    answers = fields.Dict(keys=fields.String(), values=ANY, required=True)
    missing = fields.List(fields.String(), required=True,
                          metadata={"description": "Required questions still unanswered."})  # fmt: skip
    unconfirmed = fields.List(fields.String(), required=True,
                              metadata={"description": "Pre-filled answers not saved yet."})  # fmt: skip
    total = fields.Float(allow_none=True, required=True)
    stage = fields.String(allow_none=True, required=True)
    assisted_by = fields.String(allow_none=True, required=True,
                                metadata={"description": "The service provider that helped fill it."})  # fmt: skip
    submitted_at = fields.DateTime(allow_none=True, required=True)


class StartSchema(Strict):
    """Which questionnaire to fill (its current version)."""

    questionnaire = fields.String(required=True, validate=validate.Length(1, 64))


class AnswersSchema(Strict):
    """Answers by question id, any order and any pages; null clears an answer."""

    lock_version = fields.Integer(required=True, strict=True)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 64)), values=ANY,
                          required=True, validate=validate.Length(max=500))  # fmt: skip


class CheckSchema(Strict):
    """Answers to check against the draft, nothing saved."""

    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 64)), values=ANY,
                          required=True, validate=validate.Length(max=500))  # fmt: skip


class CheckResultSchema(Schema):
    """Every problem at once."""

    valid = fields.Boolean(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    missing = fields.List(fields.String(), required=True)


class SubmitHeaders(Schema):
    """A retried submit with the same key gets the stored response."""

    class Meta:
        unknown = "exclude"

    idempotency_key = fields.String(data_key="Idempotency-Key",
                                    validate=validate.Length(1, 200))  # fmt: skip


class StatsSchema(Schema):
    n = fields.Integer(required=True)
    mean = fields.Float(required=True)
    median = fields.Float(required=True)
    p25 = fields.Float(required=True)
    p75 = fields.Float(required=True)


class BenchmarkSchema(Schema):
    """One cohort comparison; `shown` null and no figures when every cohort is too small."""

    requested = fields.Dict(required=True)
    shown = fields.Dict(allow_none=True, required=True)
    n = fields.Integer(required=True)
    suppressed = fields.Boolean(required=True)
    stats = fields.Dict(keys=fields.String(), values=fields.Nested(StatsSchema), required=True)
    percentile = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                             required=True)  # fmt: skip


class StepSchema(Schema):
    id = fields.String(required=True)
    question = fields.String(required=True)
    dimension = fields.String(required=True)
    title = fields.Dict(required=True)
    action = fields.Dict(required=True)
    effort = fields.String(required=True)
    horizon = fields.Integer(required=True)
    gain = fields.Float(required=True)


class ProjectionSchema(Schema):
    horizon = fields.Integer(required=True, metadata={"description": "Months."})
    total = fields.Float(required=True)
    stage = fields.String(required=True)


class ResultSchema(Schema):
    """A submitted assessment's result: scores, level, benchmarks, steps and projections."""

    id = fields.String(required=True)
    questionnaire = fields.String(required=True)
    version = fields.String(required=True)
    total = fields.Float(required=True)
    stage = fields.String(required=True)
    level = fields.Dict(required=True)
    assisted_by = fields.String(allow_none=True, required=True)
    assisted_note = fields.String(allow_none=True, required=True,
                                  metadata={"description": "The result page's words for it."})  # fmt: skip
    dimensions = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                             required=True)  # fmt: skip
    benchmarks = fields.Dict(keys=fields.String(), values=fields.Nested(BenchmarkSchema),
                             required=True)  # fmt: skip
    min_cohort = fields.Integer(required=True)
    recommendations = fields.List(fields.Nested(StepSchema), required=True)
    projections = fields.List(fields.Nested(ProjectionSchema), required=True)


class LangQuery(Strict):
    lang = fields.String(validate=validate.OneOf(["zh", "en"]))


class BureauQuery(Strict):
    """The bureau's filters, as on the dashboard (unknown values are ignored and listed)."""

    q = fields.String(metadata={"description": "Questionnaire (or a pool of versions)."})
    period = fields.String()
    industry = fields.String()
    town = fields.String()
    size = fields.String()
    level = fields.String()
    review = fields.String()


class ListQuery(BureauQuery):
    """The filters, the sort and the page (a keyset cursor from `next_cursor`)."""

    search = fields.String(validate=validate.Length(max=100),
                           metadata={"description": "Name contains, or credit code starts with."})  # fmt: skip
    sort = fields.String(load_default="total", validate=validate.Length(1, 80), metadata={
        "description": "name, uscc, town, industry, size, date, total, stage, or dim:<dimension>"})  # fmt: skip
    dir = fields.String(load_default="desc", validate=validate.OneOf(["asc", "desc"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = fields.String(validate=validate.Length(max=400), metadata={
        "description": "`next_cursor` of the page before, with the same sort and dir."})  # fmt: skip


class EnterpriseSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    uscc = fields.String(required=True)
    town = fields.String(allow_none=True, required=True)
    industry = fields.String(allow_none=True, required=True)
    size_class = fields.String(allow_none=True, required=True)


class ListRowSchema(Schema):
    enterprise = fields.Nested(EnterpriseSchema, required=True)
    assessment = fields.String(required=True)
    version = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)
    total = fields.Float(required=True)
    stage = fields.String(required=True)
    dimensions = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                             required=True)  # fmt: skip


class EnterprisePageSchema(Schema):
    items = fields.List(fields.Nested(ListRowSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True,
                                metadata={"description": "Pass as `cursor` for the next page."})  # fmt: skip
    filters = fields.Dict(required=True)
    ignored = fields.List(fields.String(), required=True)


class HistoryItemSchema(Schema):
    id = fields.String(required=True)
    questionnaire = fields.String(required=True)
    version = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)
    total = fields.Float(required=True)
    stage = fields.String(required=True)


class HistorySchema(Schema):
    enterprise = fields.Nested(EnterpriseSchema, required=True)
    assessments = fields.List(fields.Nested(HistoryItemSchema), required=True)


class GroupSchema(Schema):
    key = fields.String(required=True)
    n = fields.Integer(required=True)
    mean = fields.Float(allow_none=True, required=True)
    median = fields.Float(allow_none=True, required=True)
    stages = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class DashboardSchema(Schema):
    """The dashboard's figures for a filter (the latest assessment of each enterprise)."""

    filters = fields.Dict(required=True)
    ignored = fields.List(fields.String(), required=True)
    participants = fields.Integer(required=True)
    submissions = fields.Integer(required=True)
    mean = fields.Float(allow_none=True, required=True)
    median = fields.Float(allow_none=True, required=True)
    stages = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    histogram = fields.List(fields.Integer(), required=True)
    by_industry = fields.List(fields.Nested(GroupSchema), required=True)
    by_town = fields.List(fields.Nested(GroupSchema), required=True)
    by_size = fields.List(fields.Nested(GroupSchema), required=True)


class ProgressRowSchema(Schema):
    key = fields.String(required=True, metadata={"description": "Town or industry code."})
    targets = fields.Integer(required=True)
    registered = fields.Integer(required=True)
    started = fields.Integer(required=True)
    submitted = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    returned = fields.Integer(required=True)


class ProgressSchema(Schema):
    """A campaign's progress within the caller's towns."""

    campaign = fields.String(required=True)
    name = fields.String(required=True)
    total = fields.Nested(ProgressRowSchema, required=True)
    by_town = fields.List(fields.Nested(ProgressRowSchema), required=True)
    by_industry = fields.List(fields.Nested(ProgressRowSchema), required=True)
