"""The home page: what this person has to do next, per role."""

from flask import Blueprint, render_template
from flask_login import current_user

from qms.core.access import SIGNED_IN, allow, public
from qms.core.tasks import tasks_for

bp = Blueprint("home", __name__)


@bp.get("/")
@allow(SIGNED_IN)
def index():
    return render_template("home/index.html", sections=tasks_for(current_user))


@bp.get("/healthz")
@public
def health():
    return {"status": "ok"}
