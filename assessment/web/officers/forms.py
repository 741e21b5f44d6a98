"""The admin's form for a town officer's towns."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget

from assessment.core.enterprise import towns
from assessment.web.i18n import current_lang


class TownsForm(FlaskForm):
    """One checkbox per town; at least one must stay ticked."""

    towns = SelectMultipleField(
        _l("Towns"),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,  # checked by services.town_officers.clean_towns, with its message
    )
    submit = SubmitField(_l("Save towns"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = current_lang()
        self.towns.choices = [(t.code, t.label(lang)) for t in towns()]
