"""Review forms: the queue's filters (GET, bookmarkable) and the reviewer's decision (POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField

from assessment.core.enums import Review
from assessment.services.review import MAX_NOTE
from assessment.services.review_queue import ALL

STATUS_LABELS = {
    Review.PENDING.value: _l("Awaiting review"),
    Review.RETURNED.value: _l("Returned for correction"),
    Review.APPROVED.value: _l("Approved"),
    ALL: _l("All"),
}


class QueueFilterForm(FlaskForm):
    """Which submissions the queue lists; unknown values fall back to the default."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default=Review.PENDING.value, validate_choice=False)
    campaign = SelectField(_l("Campaign"), default="", validate_choice=False)
    flagged = BooleanField(_l("Flagged only"))

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = list(STATUS_LABELS.items())
        self.campaign.choices = [("", _l("All campaigns"))] + [
            (c.public_id, c.name) for c in campaigns
        ]
        if self.status.data not in STATUS_LABELS:
            self.status.data = Review.PENDING.value
        if self.campaign.data not in {value for value, _label in self.campaign.choices}:
            self.campaign.data = ""


class DecisionForm(FlaskForm):
    """Approve, or return with a note (the note is required to return)."""

    note = TextAreaField(
        _l("Note to the enterprise (what to correct)"),
        description=_l(
            "Required to return it. The enterprise reads it on its home page and in an email."
        ),  # fmt: skip
        render_kw={"rows": 5, "maxlength": MAX_NOTE},
    )
    approve = SubmitField(_l("Approve"))
    send_back = SubmitField(_l("Return for correction"))
