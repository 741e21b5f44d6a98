"""The floor under any signed-in page of this product: the real app plus one bench-only route that
does only what every enterprise page must (session, sign-in check with the user loaded from the
database, one assessment read with its ownership check, the base layout with navigation and CSRF
token) and shows nothing else: the ceiling the survey page could reach with zero cost of its own.
`make bench`'s throughput target is the survey page at ≥ 50 % of this floor's requests/s
(bench/run.py, FLOOR_SHARE); its ratio to hello-world is shown as information only.

gunicorn -w 2 -k gthread --threads 4 -b 127.0.0.1:PORT 'bench.floor:app'
"""

from flask import Blueprint, render_template

from assessment.web.access import enterprise_required, own_assessment
from assessment.web.app import create_app

bp = Blueprint("bench_floor", __name__, template_folder="templates")


@bp.get("/bench/floor/<public_id>")
@enterprise_required
def floor(public_id: str):
    """The base layout around one owned assessment's id."""
    return render_template("bench_floor.html", assessment=own_assessment(public_id))


app = create_app()
app.register_blueprint(bp)
