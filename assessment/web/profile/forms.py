"""The profile form: registration's enterprise fields, validators and messages (`EnterpriseFields`)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from assessment.services.models import Enterprise
from assessment.services.profile import Profile
from assessment.web.auth.forms import EnterpriseFields


class ProfileForm(EnterpriseFields):
    submit = SubmitField(_l("Save the profile"))

    def profile(self) -> Profile:
        """The validated values, for `services.profile.update_profile`."""
        return Profile(
            name=self.name.data,
            contact_name=self.contact_name.data,
            contact_phone=self.contact_phone.data,
            town=self.town.data,
            industry=self.industry.data,
            employees=self.employees.data,
            revenue_wan=float(self.revenue_wan.data),
        )


def plain_number(value: float) -> Decimal:
    """A stored figure as typed: 8600.0 shows as 8600, 12.5 as 12.5."""
    text = f"{value:f}".rstrip("0").rstrip(".")
    return Decimal(text or "0")


def initial(enterprise: Enterprise) -> dict:
    """The form's starting values: the enterprise as stored."""
    return {
        "name": enterprise.name,
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "town": enterprise.town,
        "industry": enterprise.industry,
        "employees": enterprise.employees,
        "revenue_wan": plain_number(enterprise.revenue_wan),
    }
