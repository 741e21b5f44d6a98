"""Entry point for `flask --app app` and `gunicorn app:app`."""

from assessment.web.app import create_app

app = create_app()
