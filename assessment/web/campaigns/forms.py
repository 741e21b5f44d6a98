"""Campaign forms: the campaign itself, the target-list upload, reminders."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from assessment.web.access import registry
from assessment.web.i18n import current_lang

REQUIRED = _l("This field is required.")
DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD, e.g. 2025-06-30.")


class CheckboxList(SelectMultipleField):
    """Several choices as checkboxes (the questionnaires of a campaign)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DayField(DateField):
    """A date typed as 2025-06-30 or 2025/06/30, with our message when it is not one."""

    def __init__(self, label, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%Y/%m/%d"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(DATE_MESSAGE)) from None


class CampaignForm(FlaskForm):
    """A campaign as the bureau types it; the end may not come before the start."""

    name = StringField(_l("Campaign name"), validators=[InputRequired(REQUIRED), Length(max=200)],
                       description=_l("E.g. 2025年度规上工业企业数字化水平评测."))  # fmt: skip
    questionnaires = CheckboxList(
        _l("Questionnaires to fill in"),
        validators=[InputRequired(_l("Choose at least one questionnaire."))],
    )
    starts_on = DayField(_l("Start date"), validators=[InputRequired(DATE_MESSAGE)])
    ends_on = DayField(
        _l("End date"),
        validators=[InputRequired(DATE_MESSAGE)],
        description=_l("The last day enterprises can submit for this campaign."),
    )
    description = TextAreaField(
        _l("Description for the enterprises"),
        validators=[Length(max=2000)],
        description=_l(
            "Shown on the home page of each listed enterprise while the campaign runs, and "
            "printed on the invitation letters."
        ),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = current_lang()
        self.questionnaires.choices = [(q.id, q.title.get(lang)) for q in registry().current()]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class UploadForm(FlaskForm):
    """The target list to preview."""

    file = FileField(
        _l("Target list (.xlsx or .csv)"),
        description=_l("The first sheet is read. Download the template to see the columns."),
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    """Commit a previewed import, or send reminders: a button with CSRF protection."""

    submit = SubmitField(_l("Import"))


class SearchForm(FlaskForm):
    """Search the targets by name or code (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by name or code"), validators=[Length(max=100)])
