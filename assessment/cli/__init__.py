"""`flask --app app ...` commands (listed in README.md), one module per group. Each has --help."""

from __future__ import annotations

from flask import Flask

from assessment.cli.backup import backup_command, restore_command
from assessment.cli.campaigns import campaign_remind_command
from assessment.cli.database import init_db_command, rebuild_totals_command
from assessment.cli.demo import seed_demo_command
from assessment.cli.exports import export_command
from assessment.cli.jobs import jobs_command, jobs_worker_command
from assessment.cli.questionnaire import questionnaire_cli
from assessment.cli.report import report_command
from assessment.cli.scoring import score_command
from assessment.cli.users import create_user_command

COMMANDS = (
    questionnaire_cli,
    report_command,
    score_command,
    init_db_command,
    create_user_command,
    seed_demo_command,
    export_command,
    backup_command,
    restore_command,
    rebuild_totals_command,
    campaign_remind_command,
    jobs_worker_command,
    jobs_command,
)


def register(app: Flask) -> None:
    """Add the commands to `app.cli`."""
    for command in COMMANDS:
        app.cli.add_command(command)
