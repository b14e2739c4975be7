"""The commune's format of dossier codes, with the code the next dossier received today would get."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.access import allow
from qms.core.calendar import local_today
from qms.core.forms import field_error
from qms.db import DomainError, settle
from qms.dossiers import forms as f
from qms.dossiers import permissions as perm
from qms.dossiers import queries, services
from qms.dossiers.views import actor, bp


def next_code(commune, written):
    """The code the next dossier received today would get under the format `written` (None when
    it cannot be read)."""
    try:
        fmt = services.check_code_format(written)
    except DomainError:
        return None
    today = local_today()
    return services.render_code(
        fmt,
        unit_code=queries.receiving_unit_code(commune),
        day=today,
        serial=queries.next_serial(commune.id, today),
    )


@bp.route("/settings", methods=["GET", "POST"])
@allow(*perm.SETTINGS_EDITORS)
def edit_settings():
    commune = current_user.commune
    current = services.code_format(commune)
    form = f.CodeFormatForm(formdata=None, code_format=current) if request.method == "GET" else f.CodeFormatForm()
    status = 200
    if form.validate_on_submit():
        try:
            changes = services.update_code_format(
                actor(), commune, written=form.code_format.data, reason=form.reason.data or ""
            )
        except DomainError as exc:
            settle(exc)
            if exc.code == "forbidden":
                raise
            field_error(form.code_format, exc)
            status = exc.status
        else:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("dossiers.edit_settings"), 303)
    elif form.errors:
        status = 400
    return render_template(
        "dossiers/settings.html",
        form=form,
        current=current,
        next_code=next_code(commune, current),
        default_format=services.DEFAULT_CODE_FORMAT,
    ), status
