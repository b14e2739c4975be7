"""Importing a commune's existing document system on a page (issue 15): the quality officer uploads
the master list (.xlsx or .csv) and its files (a .zip, or a folder the browser sends file by file,
zipped here in memory), the dry run is made in the background (qms.documents.imports.runs.check)
while the page shows its progress, then it shows what each row would become with every problem;
the quality officer confirms with the password (the signed declaration "declared as issued") and
the import is written in the background, then its outcome is shown. The commune's auditor reads
these pages; nobody else sees them.

The upload is checked before anything is recorded: the list is read (a list that is not a
spreadsheet, or without the columns, is refused with its reason), the .zip is opened (one that is
not a .zip, encrypted or a zip bomb is refused), sizes within the installation's upload limit.
Then the import's record is committed (start_run keeps the list and the .zip in the store) and the
dry run starts after the response."""

import datetime as dt
import io
import zipfile
from pathlib import PurePosixPath

from flask import abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, MultipleFileField
from wtforms import PasswordField
from wtforms.validators import InputRequired

from qms.auth.models import AUDITOR, QUALITY_OFFICER
from qms.core.access import allow, get_in_commune
from qms.core.background import after_commit
from qms.core.calendar import format_datetime
from qms.core.forms import Form
from qms.core.lists import newest_first, page_number
from qms.core.security import allow_large_requests
from qms.core.sheets import FileRefused
from qms.db import DomainError, settle
from qms.documents import permissions as perm
from qms.documents.imports import runs
from qms.documents.imports.files import MAX_FILES, ZipFiles, empty_file_set
from qms.documents.imports.lists import read_master_list
from qms.documents.imports.plan import CREATE, NEXT_VERSION, REFUSED, UNCHANGED
from qms.documents.imports.services import start_run
from qms.documents.models import DocumentImport, ImportStatus
from qms.documents.views import actor, bp
from qms.files.services import max_upload_bytes, max_upload_mb
from qms.signatures.services import verify

READERS = (QUALITY_OFFICER, AUDITOR)
_ZIP = b"PK\x03\x04"


def max_files_bytes() -> int:
    """The files' .zip (or folder): the import's request limit (QMS_MAX_IMPORT_MB), less the list's share."""
    return max(current_app.config["QMS_MAX_IMPORT_MB"] - max_upload_mb(), 1) * 1024 * 1024


allow_large_requests("documents.import_documents")  # a master list and every file of the document system


@bp.url_value_preprocessor
def _import_form_parts(endpoint, values):
    """A folder comes as one form part per file: far more than the 1,000 parts a request may have.
    Raised for this request only, before anything reads the form (the CSRF check does, in a hook
    that runs after this)."""
    if endpoint == "documents.import_documents" and request.method == "POST":
        request.max_form_parts = MAX_FILES + 100


class ImportForm(Form):
    list_file = FileField(_l("Master list of documents (.xlsx or .csv)"))
    files_zip = FileField(_l("The files, as a .zip"))
    folder = MultipleFileField(_l("Or the folder of the files"))


class ConfirmForm(Form):
    password = PasswordField(
        _l("Your password (electronic signature)"), validators=[InputRequired(_l("Enter your password to sign."))]
    )


STATUS_LABELS = {
    "checking": _l("Checking"),
    "checked": _l("Checked, waiting for the confirmation"),
    "importing": _l("Importing"),
    "done": _l("Imported"),
    "failed": _l("Stopped"),
    "stopped": _l("Stopped"),
}


def _commune_refusal():
    return perm.import_refusal(current_user, current_user.commune)


def _run_or_404(import_id):
    run = get_in_commune(DocumentImport, import_id)
    if not perm.can_view_import(current_user, run):
        abort(404)
    return run


def _name(filename) -> str:
    """A file's name as the browser sent it, without its folders."""
    return " ".join((filename or "").replace("\\", "/").rsplit("/", 1)[-1].split())[:200]


def _too_large(limit=None):
    return _("The file is larger than %(mb)d MB.", mb=(limit or max_upload_bytes()) // (1024 * 1024))


def _read_list(form):
    """(name, bytes) of the uploaded list; FileRefused with the reason when it cannot be imported."""
    upload = form.list_file.data
    if upload is None or not getattr(upload, "filename", ""):
        raise _Refused(form.list_file, _("Choose the master list (.xlsx or .csv)."))
    name, data = _name(upload.filename), upload.read()
    if len(data) > max_upload_bytes():
        raise _Refused(form.list_file, _too_large())
    if not data.strip():
        raise _Refused(form.list_file, _("The file is empty."))
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in (".xlsx", ".csv") or (suffix == ".csv" and (data.startswith(_ZIP) or b"\x00" in data[:65536])):
        raise _Refused(form.list_file, _("The master list must be an Excel workbook (.xlsx) or a CSV file."))
    try:
        read_master_list(name, data)
    except FileRefused as exc:
        raise _Refused(form.list_file, str(exc.message)) from None
    return name, data


def _read_files(form):
    """(label, bytes of a .zip) of the uploaded files, or (None, None) when none was sent: a .zip as
    it came, or the folder's files zipped here."""
    upload = form.files_zip.data
    folder = [f for f in (form.folder.data or []) if getattr(f, "filename", "")]
    if upload is not None and getattr(upload, "filename", ""):
        name, data = _name(upload.filename), upload.read()
        if len(data) > max_files_bytes():
            raise _Refused(form.files_zip, _too_large(max_files_bytes()))
        if not data.startswith(_ZIP):
            raise _Refused(form.files_zip, _("The files must come as a .zip, or as a folder."))
        return name, data
    if not folder:
        return None, None
    out = io.BytesIO()
    top = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for item in folder:
            parts = [p for p in (item.filename or "").replace("\\", "/").split("/") if p not in ("", ".", "..")]
            if not parts:
                continue
            if len(parts) > 1:
                top.add(parts[0])
            archive.writestr("/".join(parts), item.read())
            if out.tell() > max_files_bytes():
                raise _Refused(form.folder, _too_large(max_files_bytes()))
    label = next(iter(top)) if len(top) == 1 else _("folder")
    return str(label)[:200], out.getvalue()


class _Refused(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def status_of(run) -> str:
    return "stopped" if runs.is_stale(run) else run.status.value


@bp.route("/import", methods=["GET", "POST"])
@allow(*READERS)
def import_documents():
    refusal = _commune_refusal()
    form = ImportForm() if refusal is None else None
    status = 200
    if form is not None and request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                list_name, list_data = _read_list(form)
                files_name, files_data = _read_files(form)
                if files_data is not None:
                    try:
                        files = ZipFiles(files_name, io.BytesIO(files_data))
                    except FileRefused as exc:
                        raise _Refused(form.files_zip, str(exc.message)) from None
                else:
                    files = empty_file_set()
                files.close()
                run = start_run(
                    actor(),
                    current_user.commune,
                    list_name=list_name,
                    list_data=list_data,
                    files=files,
                    files_data=files_data,
                )
            except _Refused as exc:
                exc.field.errors = [exc.message]
                status = 400
            except DomainError as exc:
                settle(exc)
                if exc.code == "forbidden":
                    raise
                form.list_file.errors = [str(exc.message)]
                status = getattr(exc, "status", 400)
            else:
                app, run_id, request_id = current_app._get_current_object(), run.id, g.get("request_id", "")

                @after_commit
                def _start():
                    runs.start_check(app, run_id, request_id=request_id)

                return redirect(url_for("documents.show_import", import_id=run.id), 303)
    elif request.method == "POST":
        abort(403)
    page = newest_first(DocumentImport, current_user.commune_id, page=page_number(request.args))
    return render_template(
        "documents/import.html",
        form=form,
        page=page,
        max_mb=max_upload_mb(),
        files_mb=max_files_bytes() // (1024 * 1024),
        status_of=status_of,
        status_labels_of_import=STATUS_LABELS,
    ), status


def progress_of(run) -> dict:
    status = status_of(run)
    total = run.total or 0
    return {
        "status": status,
        "status_label": str(STATUS_LABELS[status]),
        "finished": not run.is_running or status == "stopped",
        "done": run.done,
        "total": total,
        "progress": (run.done / total) if total else None,
        "updated_at": format_datetime(run.updated_at, seconds=True),
    }


def _day(value):
    return dt.date.fromisoformat(value) if value else None


def _becomes(row, done=False) -> str:
    """What a row would become (the dry run) or became (done), in words."""
    action = row.get("action")
    issue = f"{row.get('current_issue') or 0:02d}"
    if action == CREATE:
        return _("Created as a new document") if done else _("New document")
    if action == NEXT_VERSION:
        if done:
            return _("New issue (replaced issue %(issue)s)", issue=issue)
        return _("New issue (replaces issue %(issue)s)", issue=issue)
    if action == UNCHANGED:
        return _("Unchanged")
    return _("Refused: not imported")


def _rows(run):
    done = run.status in (ImportStatus.done, ImportStatus.failed)
    out = []
    for row in (run.report or {}).get("rows", []):
        out.append(
            {
                **row,
                "issue": f"{row['issue_no']:02d}" if row.get("issue_no") and row.get("kind") != "external" else "",
                "effective": _day(row.get("effective_on")),
                "becomes": _becomes(row, done),
            }
        )
    return out


def _page(run, confirm_form=None, status=200):
    state = progress_of(run)
    counts = (run.report or {}).get("counts") or {}
    signatures = (
        [(s, verify(s, run)) for s in run.signatures] if run.status in (ImportStatus.done, ImportStatus.failed) else []
    )
    may_confirm = (
        run.status is ImportStatus.checked
        and runs.has_changes(run)
        and _commune_refusal() is None
        and current_user.id == run.started_by_id
    )
    if may_confirm and confirm_form is None:
        confirm_form = ConfirmForm(formdata=None)
    return render_template(
        "documents/import_run.html",
        run=run,
        state=state,
        counts=counts,
        rows=_rows(run),
        refused=REFUSED,
        signatures=signatures,
        versions=run.versions if run.status in (ImportStatus.done, ImportStatus.failed) else [],
        confirm_form=confirm_form if may_confirm else None,
        has_changes=runs.has_changes(run),
        status_labels_of_import=STATUS_LABELS,
    ), status


@bp.get("/import/<int:import_id>")
@allow(*READERS)
def show_import(import_id):
    return _page(_run_or_404(import_id))


@bp.get("/import/<int:import_id>/progress")
@allow(*READERS)
def import_progress(import_id):
    return jsonify(progress_of(_run_or_404(import_id)))


@bp.post("/import/<int:import_id>/confirm")
@allow(QUALITY_OFFICER)
def confirm_import(import_id):
    run = _run_or_404(import_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(run, form, 400)
    try:
        runs.begin_apply(actor(), run, form.password.data)
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        form.password.errors = [str(exc.message)]
        return _page(run, form, getattr(exc, "status", 400))
    app, run_id, request_id = current_app._get_current_object(), run.id, g.get("request_id", "")

    @after_commit
    def _start():
        runs.start_apply(app, run_id, request_id=request_id)

    return redirect(url_for("documents.show_import", import_id=run.id), 303)
