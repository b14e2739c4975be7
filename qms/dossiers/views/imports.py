"""Importing dossiers from the provincial one-stop system's file (.csv or .xlsx): the upload, the
import running in the background with its progress (the page asks import_progress every second),
then its report (the refused rows: row, column, reason). The imports of the commune, newest first.

The upload is checked before anything runs: its size (QMS_MAX_UPLOAD_MB), an Excel workbook by the
shared upload checks (qms.files.uploads.check_upload: no macros, no external links, no zip bomb;
it is not stored: an import file is no document), a CSV by reading it as UTF-8, and the header row
of either (the columns the import needs). Then the import's record is committed and the work starts
after the response (qms.dossiers.import_runs.start_in_background)."""

import datetime as dt
import hashlib
import io

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired

from qms.auth.models import QUALITY_OFFICER, STAFF
from qms.core.access import allow, get_in_commune
from qms.core.background import after_commit
from qms.core.calendar import format_datetime
from qms.core.forms import Form
from qms.core.lists import newest_first, page_number
from qms.db import DomainError, settle
from qms.dossiers import permissions as perm
from qms.dossiers.import_files import COLUMNS, FileRefused, open_rows
from qms.dossiers.import_runs import is_stale, start_in_background
from qms.dossiers.models import DossierImport, ImportStatus
from qms.dossiers.services.imports import start_import
from qms.dossiers.views import actor, bp
from qms.files.services import max_upload_bytes, max_upload_mb
from qms.files.uploads import check_upload

IMPORTERS = (QUALITY_OFFICER, STAFF)
_ZIP = b"PK\x03\x04"


class ImportForm(Form):
    file = FileField(_l("File from the provincial one-stop system (.xlsx or .csv)"), validators=[FileRequired()])


def _may_import():
    if not perm.can_import(current_user, current_user.commune):
        abort(403)


def _checked(filename, data):
    """Refuse (DomainError, FileRefused) what cannot be imported, before anything is recorded."""
    if len(data) > max_upload_bytes():
        raise DomainError(_l("The file is larger than %(mb)d MB.", mb=max_upload_mb()), code="too_large", status=413)
    if data.startswith(_ZIP):
        checked = check_upload(filename, data, max_bytes=max_upload_bytes())
        if checked.kind != "xlsx":
            raise FileRefused(_l("Import an Excel workbook (.xlsx) or a CSV file."))
    elif not data.strip():
        raise FileRefused(_l("The file is empty."))
    elif b"\x00" in data[:65536]:
        raise FileRefused(_l("Import an Excel workbook (.xlsx) or a CSV file."))
    source = open_rows(filename, io.BytesIO(data), len(data))  # the header, read now
    source.close()


@bp.route("/import", methods=["GET", "POST"])
@allow(*IMPORTERS)
def import_dossiers():
    _may_import()
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        filename = " ".join((upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].split())[:200]
        data = upload.read()
        try:
            _checked(filename, data)
            run = start_import(
                actor(),
                current_user.commune,
                file_name=filename or "import",
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
            )
        except (DomainError, FileRefused) as exc:
            if isinstance(exc, DomainError):
                settle(exc)
                if exc.code == "forbidden":
                    raise
            form.file.errors = [str(exc.message)]
            status = getattr(exc, "status", 400)
        else:
            app, import_id, request_id = current_app._get_current_object(), run.id, g.get("request_id", "")

            @after_commit
            def _start():
                start_in_background(app, import_id, data, file_name=filename, request_id=request_id)

            flash(_("The import has started; this page shows its progress."), "info")
            return redirect(url_for("dossiers.show_import", import_id=run.id), 303)
    elif form.errors:
        status = 400
    page = newest_first(DossierImport, current_user.commune_id, page=page_number(request.args))
    return render_template(
        "dossiers/import.html", form=form, columns=COLUMNS, page=page, max_mb=max_upload_mb(), is_stale=is_stale
    ), status


def _import_or_404(import_id):
    run = get_in_commune(DossierImport, import_id)
    if not perm.can_import(current_user, current_user.commune):
        abort(404)
    return run


def progress_of(run) -> dict:
    stale = is_stale(run)
    return {
        "status": "stopped" if stale else run.status.value,
        "finished": run.status is not ImportStatus.running or stale,
        "progress": run.progress,
        "rows_read": run.rows_read,
        "created": run.created,
        "unchanged": run.unchanged,
        "bad": run.bad,
        "ncs_opened": run.ncs_opened,
        "updated_at": format_datetime(run.updated_at, seconds=True),
    }


@bp.get("/import/<int:import_id>")
@allow(*IMPORTERS)
def show_import(import_id):
    run = _import_or_404(import_id)
    differ = [
        (row, code, dt.date.fromisoformat(theirs), dt.date.fromisoformat(ours))
        for row, code, theirs, ours in (run.notes or {}).get("due_dates", [])
    ]
    return render_template("dossiers/import_run.html", run=run, state=progress_of(run), differ=differ)


@bp.get("/import/<int:import_id>/progress")
@allow(*IMPORTERS)
def import_progress(import_id):
    return jsonify(progress_of(_import_or_404(import_id)))
