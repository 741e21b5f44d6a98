"""Sending mail (Flask-Mailman): every message has a plain-text and an HTML part, in one language.

Backends by setting `MAIL_BACKEND`: `console` (the default: `make run` needs no mail server, the
message is printed where the server runs), `file` (one file per message under `MAIL_FILE_PATH`) and
`smtp` (production, and the tests, which start a real SMTP server on loopback).
"""

from __future__ import annotations

import logging
import smtplib

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives

from assessment.web.i18n import current_lang, language

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, template: str, lang: str | None = None, **context) -> bool:
    """Render `templates/mail/<template>.txt` and `.html` and send them to `to`.

    `subject` is a msgid, translated with the body into `lang` (default: the current request's
    language). Returns False when sending failed: the failure is logged, and the caller tells the
    user without undoing what they did.
    """
    lang = lang or current_lang()
    with language(lang):
        context = {**context, "lang": lang}
        text_body = render_template(f"mail/{template}.txt", **context)
        html_body = render_template(f"mail/{template}.html", **context)
        message = EmailMultiAlternatives(
            subject=_(subject),
            body=text_body,
            from_email=current_app.config["MAIL_DEFAULT_SENDER"],
            to=[to],
        )
    message.attach_alternative(html_body, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError):  # refused, timed out, rejected: keep the user's action
        log.exception("mail %r to %s could not be sent", template, to)
        return False
    return True
