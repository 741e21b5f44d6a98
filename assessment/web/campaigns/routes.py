"""The bureau's campaigns (填报任务): the list, creating and editing one, its page with the targets;
the import, invitation and reminder views live beside this module and are registered here."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessment.core.enterprise import towns
from assessment.core.target_rows import LABELS
from assessment.services import audit, campaign_reminders, campaigns
from assessment.web.access import bureau_required, current_enterprise, registry
from assessment.web.campaigns import imports, invitations
from assessment.web.campaigns.common import campaign_or_404, today
from assessment.web.campaigns.forms import CampaignForm, ConfirmForm, SearchForm
from assessment.web.extensions import db
from assessment.web.forms_common import message
from assessment.web.i18n import current_lang
from assessment.web.pagination import pager

bp = Blueprint("campaigns", __name__, url_prefix="/bureau/campaigns")

bp.add_url_rule("/template.xlsx", view_func=imports.template)
bp.add_url_rule("/<public_id>/import", view_func=imports.upload, methods=["GET", "POST"])
bp.add_url_rule("/<public_id>/import/<token>", view_func=imports.preview)
bp.add_url_rule("/<public_id>/import/<token>", endpoint="commit", view_func=imports.commit,
                methods=["POST"])  # fmt: skip
bp.add_url_rule("/<public_id>/letters.pdf", view_func=invitations.letters)
bp.add_url_rule("/<public_id>/invitations.csv", view_func=invitations.mail_merge)
bp.add_url_rule("/<public_id>/remind", view_func=invitations.remind, methods=["POST"])


def _data(form: CampaignForm) -> campaigns.CampaignData:
    return campaigns.CampaignData(
        name=form.name.data,
        description=form.description.data or "",
        questionnaire_ids=list(form.questionnaires.data),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
    )


@bp.get("/")
@bureau_required
def index():
    """Every campaign with its dates and how many targets registered."""
    rows = campaigns.listing(db.session, with_demo=current_app.config["DEMO_MODE"])
    return render_template("campaigns/index.html", rows=rows, today=today())


@bp.route("/new", methods=["GET", "POST"])
@bureau_required
def create():
    """A new campaign: name, questionnaires, dates, description."""
    form = CampaignForm()
    if request.method == "GET":
        form.questionnaires.data = [registry().current()[0].id]
    if form.validate_on_submit():
        campaign = campaigns.create(db.session, _data(form), current_user)
        audit.record(db.session, current_user, audit.CREATE_CAMPAIGN, "campaign",
                     campaign.public_id, {"name": campaign.name}, request.remote_addr)  # fmt: skip
        flash(_("The campaign is created. Now import its target list."), "success")
        return redirect(url_for("campaigns.show", public_id=campaign.public_id))
    return render_template("campaigns/edit.html", form=form, campaign=None)


@bp.route("/<public_id>/edit", methods=["GET", "POST"])
@bureau_required
def edit(public_id: str):
    """Change a campaign's name, questionnaires, dates or description."""
    campaign = campaign_or_404(public_id)
    form = CampaignForm(obj=None if request.method == "POST" else campaign)
    if request.method == "GET":
        form.questionnaires.data = list(campaign.questionnaire_ids)
    if form.validate_on_submit():
        campaigns.update_campaign(db.session, campaign, _data(form))
        audit.record(db.session, current_user, audit.UPDATE_CAMPAIGN, "campaign",
                     campaign.public_id, {"name": campaign.name}, request.remote_addr)  # fmt: skip
        flash(_("The campaign is saved."), "success")
        return redirect(url_for("campaigns.show", public_id=campaign.public_id))
    return render_template("campaigns/edit.html", form=form, campaign=campaign)


@bp.get("/<public_id>")
@bureau_required
def show(public_id: str):
    """A campaign: its facts, where its targets stand, its targets page by page, the actions."""
    campaign = campaign_or_404(public_id)
    search_form = SearchForm(request.args)
    search = (search_form.q.data or "").strip()[:100] or None
    states = campaigns.target_states(db.session, campaign)
    total = campaigns.targets_page(db.session, campaign, 1, 0, search)[1]
    page = pager(request.args, total)
    targets, _total = campaigns.targets_page(db.session, campaign, page.per_page, page.offset,
                                             search)  # fmt: skip
    reminded = campaign_reminders.last_reminded(db.session, [t.id for t in targets])
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        counts=campaigns.state_counts(states),
        states=states,
        targets=targets,
        reminded=reminded,
        pager=page,
        search_form=search_form,
        due=campaign_reminders.due(db.session, campaign),
        sent=campaign_reminders.history(db.session, campaign),
        confirm=ConfirmForm(),
        today=today(),
        format_code=campaigns.format_code,
        towns=towns(),
    )


@bp.app_template_filter("import_problem")
def _import_problem(problem) -> str:
    return message(problem)


@bp.app_template_filter("target_column")
def _target_column(column: str) -> str:
    label = LABELS.get(column)
    return label.get(current_lang()) if label is not None else column


@bp.app_template_filter("questionnaire_title")
def _questionnaire_title(questionnaire_id: str) -> str:
    questionnaire = registry().get(questionnaire_id)
    return questionnaire.title.get(current_lang()) if questionnaire else questionnaire_id


@bp.app_template_global("campaign_notices")
def campaign_notices() -> list:
    """The running campaigns that list the enterprise being viewed (its survey home shows them)."""
    enterprise = current_enterprise()
    if enterprise is None:
        return []
    return campaigns.running_for(db.session, enterprise.id, today())
