"""OpenAPI links between the enterprise operations: what a response lets a client do next (create a
draft → save answers → check → submit → result and PDF), with the values it carries over. Clients
and Schemathesis' stateful tests (tests/test_api_schemathesis.py) follow them.

Each view declares its links with `blp.doc(responses={status: {"links": …}})`, merged by
flask-smorest into the response it documents (the same integer status key as `blp.response`).
"""

from __future__ import annotations

from assessment.web.api.problems import PREFIX

ASSESSMENT = PREFIX + "/assessments/{public_id}"
# The id in an assessment body, and the id in the request's own path.
FROM_BODY = {"public_id": "$response.body#/id"}
FROM_PATH = {"public_id": "$request.path.public_id"}


def _ref(path: str, method: str) -> str:
    """A JSON pointer to an operation of this document (RFC 6901 escaping of the path)."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def _to(path: str, method: str, description: str, parameters: dict, body: dict | None = None):
    link = {
        "operationRef": _ref(path, method),
        "parameters": parameters,
        "description": description,
    }
    if body is not None:
        link["requestBody"] = body
    return link


def _draft_links(ids: dict) -> dict:
    """From a draft: show it, save answers (with its lock_version), check answers, submit."""
    return {
        "Show": _to(ASSESSMENT, "get", "The assessment now.", ids),
        "SaveAnswers": _to(
            ASSESSMENT + "/answers",
            "patch",
            "Save answers to this draft.",
            ids,
            {"lock_version": "$response.body#/lock_version"},
        ),  # fmt: skip
        "Check": _to(ASSESSMENT + "/check", "post", "Check answers without saving.", ids),
        "Submit": _to(ASSESSMENT + "/submit", "post", "Submit this draft.", ids),
    }


def _submitted_links(ids: dict) -> dict:
    """From a submitted assessment: its result and its PDF report."""
    return {
        "Result": _to(ASSESSMENT + "/result", "get", "The result of this assessment.", ids),
        "Report": _to(ASSESSMENT + "/report.pdf", "get", "The PDF report.", ids),
    }


def responses(status: int, links: dict) -> dict:
    """The `blp.doc` argument adding `links` to the response `status`."""
    return {"responses": {status: {"links": links}}}


# Per operation: the links of its success response.
STARTED = responses(201, _draft_links(FROM_BODY))
SHOWN = responses(200, _draft_links(FROM_BODY) | _submitted_links(FROM_BODY))
SAVED = responses(200, _draft_links(FROM_BODY))
CHECKED = responses(200, {k: v for k, v in _draft_links(FROM_PATH).items() if k != "SaveAnswers"})
SUBMITTED = responses(201, _submitted_links(FROM_BODY))
