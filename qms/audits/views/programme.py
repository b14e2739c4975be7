"""The yearly audit programme's page: its audits, its status and the leader's signed approval, and the
coverage matrix of processes by ISO 9001 sections 4 to 10 (qms.audits.services.coverage)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.audits import forms as f
from qms.audits import permissions as perm
from qms.audits import services
from qms.audits.models import AuditProgramme, ProgrammeStatus
from qms.audits.services.coverage import LATE_RATE_THRESHOLD
from qms.audits.services.programme import FIRST_YEAR, LAST_YEAR
from qms.audits.views import actor, bp
from qms.auth.models import LEADER
from qms.core.access import SIGNED_IN, allow
from qms.core.calendar import local_today
from qms.core.forms import field_error
from qms.db import DomainError, db, settle
from qms.signatures.services import signatures_of, verify

PASSWORD_CODES = ("bad_password", "locked")


def _year_or_404(year):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


def planning_subject(commune_id, year):
    """The programme of `year`, or an unsaved one standing for it when nobody planned that year yet
    (permissions read only its commune): a page read never writes."""
    commune = current_user.commune
    return services.find_programme(commune, year) or AuditProgramme(commune_id=commune_id, year=year)


def _years(year):
    """The years the chooser offers: around this year and the one shown, and every year planned."""
    today = local_today().year
    planned = set(
        db.session.scalars(db.select(AuditProgramme.year).where(AuditProgramme.commune_id == current_user.commune_id))
    )
    return sorted(planned | {today - 1, today, today + 1, year}, reverse=True)


def _approval(programme):
    """(signature, verification) of the revision the programme is at, when approved; and the earlier
    approved revisions as (revision, signature)."""
    current, earlier = None, []
    if programme is None:
        return current, earlier
    for revision in programme.revisions:
        found = signatures_of(revision)
        signature = found[-1] if found else None
        if revision.revision == programme.revision and programme.status is ProgrammeStatus.approved:
            current = (signature, verify(signature, revision) if signature else None)
        else:
            earlier.append((revision, signature))
    return current, earlier


def programme_page(year, status=200, approve_form=None):
    commune = current_user.commune
    programme = services.find_programme(commune, year)
    subject = programme or AuditProgramme(commune_id=commune.id, year=year)
    coverage = services.coverage(commune, year)
    approval, earlier = _approval(programme)
    can_approve = (
        programme is not None
        and perm.can_approve(current_user, programme)
        and programme.status is ProgrammeStatus.draft
        and any(a.is_active for a in programme.audits)
    )
    if can_approve and approve_form is None:
        approve_form = f.SignForm(formdata=None, row_version=programme.row_version)
    return render_template(
        "audits/programme.html",
        year=year,
        years=_years(year),
        programme=programme,
        audits=programme.audits if programme else [],
        coverage=coverage,
        approval=approval,
        earlier=earlier,
        holds=services.approval_holds(programme) if programme else False,
        can_plan=perm.can_plan(current_user, subject),
        approve_form=approve_form if can_approve else None,
        late_threshold=LATE_RATE_THRESHOLD,
    ), status


@bp.get("/")
@allow(SIGNED_IN)
def show_current_programme():
    """The programme of the year asked for (the chooser's GET), or of this year."""
    value = request.args.get("year", "")
    year = int(value) if value.isascii() and value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR else None
    return redirect(url_for("audits.show_programme", year=year or local_today().year))


@bp.get("/programmes/<int:year>")
@allow(SIGNED_IN)
def show_programme(year):
    return programme_page(_year_or_404(year))


@bp.post("/programmes/<int:year>/approve")
@allow(LEADER)
def approve_programme(year):
    programme = services.find_programme(current_user.commune, _year_or_404(year))
    if programme is None:
        abort(404)
    if not perm.can_approve(current_user, programme):
        abort(403)
    form = f.SignForm()
    if not form.validate_on_submit():
        return programme_page(year, 400, form)
    try:
        services.approve_programme(actor(), programme, form.password.data, expected_row_version=form.seen())
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        if exc.code in PASSWORD_CODES:
            field_error(form.password, exc)
        else:
            form.refusal = str(exc.message)
        return programme_page(year, exc.status, form)
    flash(str(_l("The audit programme %(year)d has been approved.", year=year)), "success")
    return redirect(url_for("audits.show_programme", year=year), 303)
