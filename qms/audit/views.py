"""The auditor's page: the trail with filters, each record's history, CSV export, chain verification."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.audit.checkpoints import last_checkpoint, sign_checkpoint
from qms.audit.csv_export import CSV_COLUMNS, csv_chunks  # noqa: F401  (CSV_COLUMNS: the export's header)
from qms.audit.forms import TrailFilterForm, filter_choices
from qms.audit.labels import change_value, names_for, stored_text
from qms.audit.queries import TrailFilter, changes_of, iterate, page, parse_cursor
from qms.audit.verify import verify_installation
from qms.auth.models import ADMINISTRATOR, AUDITOR, QUALITY_OFFICER
from qms.auth.queries import commune_people
from qms.core.access import allow
from qms.core.forms import ConfirmForm
from qms.core.labels import (
    action_label,
    field_label,
    origin_label,
    reason_label,
    record_label,
)
from qms.core.lists import read_filters
from qms.core.nav import register_nav
from qms.db import DomainError

bp = Blueprint("audit", __name__, url_prefix="/audit")
TRAIL_READERS = (AUDITOR, QUALITY_OFFICER, ADMINISTRATOR)
CHECKPOINT_SIGNERS = (QUALITY_OFFICER, ADMINISTRATOR)


def signs_checkpoints(user):
    return user.has_role(*CHECKPOINT_SIGNERS)


def reads_trail(user):
    """Whether `user` may read the audit trail (pages link to a record's history only then)."""
    return user.has_role(*TRAIL_READERS)


@bp.context_processor
def _labels():
    return {
        "action_label": action_label,
        "record_label": record_label,
        "field_label": field_label,
        "change_value": change_value,
        "stored_text": stored_text,
        "reason_label": reason_label,
        "origin_label": origin_label,
    }


def _render_trail(template, trail, **extra):
    size = current_app.config["QMS_AUDIT_PAGE_SIZE"]
    found = page(trail, before=parse_cursor(request.args.get("before")), size=size)
    users = commune_people(current_user.commune_id)
    form = read_filters(
        TrailFilterForm, request.args, choices=filter_choices(users), open_choices=("user", "action", "entity_type")
    )
    return render_template(
        template,
        page=found,
        trail=trail,
        form=form,
        names=names_for(current_user.commune_id, found.items),
        changes_of=changes_of,
        checkpoint=last_checkpoint(),
        can_sign=signs_checkpoints(current_user),
        sign_form=ConfirmForm(),
        **extra,
    )


@bp.get("/")
@allow(*TRAIL_READERS)
def index():
    try:
        trail = TrailFilter.from_args(current_user.commune_id, request.args)
    except DomainError as exc:
        trail = TrailFilter(commune_id=current_user.commune_id)
        return _render_trail("audit/index.html", trail, filter_error=str(exc.message)), 400
    return _render_trail("audit/index.html", trail, filter_error=None)


@bp.get("/records/<entity_type>/<entity_id>")
@allow(*TRAIL_READERS)
def record_history(entity_type, entity_id):
    trail = TrailFilter(commune_id=current_user.commune_id, entity_type=entity_type[:60], entity_id=entity_id[:60])
    return _render_trail("audit/record.html", trail)


@bp.get("/export.csv")
@allow(*TRAIL_READERS)
def export_csv():
    trail = TrailFilter.from_args(current_user.commune_id, request.args)

    return Response(
        stream_with_context(csv_chunks(iterate(trail))),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=audit-trail.csv"},
    )


@bp.get("/verify")
@allow(*TRAIL_READERS)
def verify():
    """The whole chain replayed (not resumed): what an auditor relies on. Reloading checks again."""
    return render_template(
        "audit/verify.html",
        result=verify_installation(current_app.instance_path),
        checkpoint=last_checkpoint(),
        can_sign=signs_checkpoints(current_user),
        sign_form=ConfirmForm(),
    )


@bp.post("/checkpoints")
@allow(*CHECKPOINT_SIGNERS)
def create_checkpoint():
    """Sign the chain's head now (the daily job does it by itself)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise DomainError(_l("The form has expired. Reload the page and try again."), code="csrf")
    try:
        checkpoint = sign_checkpoint(current_app.instance_path)
    except DomainError as exc:
        flash(str(exc.message), "warning")
        return redirect(url_for("audit.index"), 303)
    flash(_("The chain has been signed at event %(seq)d.", seq=checkpoint.seq), "success")
    return redirect(url_for("audit.index"), 303)


register_nav("audit.index", _l("Audit trail"), order=80)
