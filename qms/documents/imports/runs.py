"""Running an import started on the page (qms.documents.views.imports) in the background
(qms.core.background, as the dossier imports and evidence packs run), from its record
(document_imports), whose list and .zip of files are read back from the store by their SHA-256.

`check` makes the dry run: status checking -> the plan of every row, its progress committed as the
rows are planned (the page polls it) -> the report (Plan.as_dict()) and status checked. Nothing
else is written. `begin_apply` (the quality officer's confirmation with the password) moves a
checked import to importing; `apply` then plans again (what is here may have changed since the
dry run), writes the rows each whole, committing its progress every batch in a unit of work of its
own, and ends with finish_run (counts, report, the signature declaring the versions issued). An
exception stops it as failed with its reason: the rows committed before stay, each whole; the rows
not reached are reported as not imported. An import that has not moved for STALE_MINUTES stopped
with its server (is_stale)."""

import io
import logging
import time
import uuid

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from qms.audit.services import audit_context, record_event
from qms.core.background import run_in_background
from qms.core.calendar import utcnow
from qms.core.sheets import FileRefused
from qms.db import DomainError, db, relax_durability, unit_of_work
from qms.documents.imports import services
from qms.documents.imports.files import ZipFiles, empty_file_set
from qms.documents.imports.plan import REFUSED, Problem
from qms.documents.models import DocumentImport, ImportStatus
from qms.files.services import read_stored
from qms.signatures.services import confirm_password

log = logging.getLogger(__name__)

STALE_MINUTES = 10  # an import checking or importing without progress for this long stopped with its server
BATCH = 50  # rows written per unit of work
PROGRESS_SECONDS = 0.5  # the dry run's progress is committed at most this often


def is_stale(run, now=None) -> bool:
    """An import being checked or written that has not moved for STALE_MINUTES: its server stopped."""
    if run.status not in (ImportStatus.checking, ImportStatus.importing):
        return False
    return ((now or utcnow()) - run.updated_at).total_seconds() > STALE_MINUTES * 60


def _read_back(run):
    """The list's bytes and the file set of `run`, from the store."""
    list_data = read_stored(run.list_sha256, run.started_by, found_in=run)
    if not run.files_sha256:
        return list_data, empty_file_set()
    data = read_stored(run.files_sha256, run.started_by, found_in=run)
    return list_data, ZipFiles(run.files_name, io.BytesIO(data))


def _plan(run_id, *, on_progress=None):
    run = db.session.get(DocumentImport, run_id)
    actor, commune = run.started_by, run.started_by.commune
    list_data, files = _read_back(run)
    try:
        plan = services.read_plan(
            actor, commune, list_name=run.list_name, list_data=list_data, files=files, on_progress=on_progress
        )
    except BaseException:
        files.close()
        raise
    return plan, files


def _progress_writer(run_id):
    """on_progress(done, total) committing the run's progress, at most every PROGRESS_SECONDS."""
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_SECONDS:
            return
        last[0] = now
        with unit_of_work():
            relax_durability()
            run = db.session.get(DocumentImport, run_id)
            run.done, run.total, run.updated_at = done, total, utcnow()

    return progress


def _in_context(run_id, request_id, work):
    with audit_context(ip="import", request_id=request_id or f"import-{uuid.uuid4().hex[:12]}"):
        run = db.session.get(DocumentImport, run_id)
        with force_locale(run.started_by.locale or current_app.config["QMS_DEFAULT_LOCALE"]):
            return work()


def check(run_id, *, request_id="") -> DocumentImport:
    """The dry run of the import `run_id` (committed with status checking): its report, status
    checked; or failed with the reason (a list or .zip that cannot be read)."""

    def work():
        files = None
        try:
            plan, files = _plan(run_id, on_progress=_progress_writer(run_id))
            with unit_of_work():
                run = db.session.get(DocumentImport, run_id)
                run.report = plan.as_dict()
                run.total = len(plan.rows)
                run.done = len(plan.rows)
                run.refused = plan.count(REFUSED)
                run.status, run.updated_at = ImportStatus.checked, utcnow()
        except (DomainError, FileRefused) as exc:
            _settle(exc)
            _fail(run_id, str(exc.message))
        except Exception as exc:
            db.session.rollback()
            log.exception("document import %s failed while checked", run_id)
            _fail(run_id, f"{type(exc).__name__}: {exc}")
        finally:
            if files is not None:
                files.close()
        return db.session.get(DocumentImport, run_id)

    return _in_context(run_id, request_id, work)


def has_changes(run) -> bool:
    """Whether the dry run found rows to write (a new document or a new issue)."""
    counts = (run.report or {}).get("counts") or {}
    return bool(counts.get("create") or counts.get("next_version"))


def begin_apply(actor, run, password):
    """The quality officer's confirmation of a checked import: the password (a wrong one is a
    recorded refusal), then the run is moved to importing (once: a second confirmation of the same
    run is refused). The caller commits, then runs `apply`."""
    services.require_importer(actor, run.started_by.commune)
    if actor.id != run.started_by_id:
        raise DomainError(_l("Only the person who started this import can confirm it."), code="forbidden", status=403)
    if run.status is not ImportStatus.checked:
        raise DomainError(_l("This import is no longer waiting for a confirmation."), code="conflict", status=409)
    if not has_changes(run):
        raise DomainError(_l("The import has nothing to change."), code="nothing_to_change", status=409)
    confirm_password(actor, password, meaning=services.DECLARED, subject=actor.commune)
    moved = db.session.execute(
        update(DocumentImport)
        .where(DocumentImport.id == run.id, DocumentImport.status == ImportStatus.checked)
        .values(status=ImportStatus.importing, done=0, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise DomainError(_l("This import is no longer waiting for a confirmation."), code="conflict", status=409)
    db.session.refresh(run)
    return run


def apply(run_id, *, request_id="", batch=BATCH) -> DocumentImport:
    """Write the import `run_id` (committed with status importing by begin_apply): plan again, write
    the good rows in batches, each committed with the progress, then finish_run (signed when
    anything was written); an exception fails it with its reason."""

    def work():
        files = plan = None
        committed = 0
        try:
            plan, files = _plan(run_id)
            run = db.session.get(DocumentImport, run_id)
            actor = run.started_by
            steps = services.write_rows(actor, run, plan, files)
            finished = False
            while not finished:
                with unit_of_work():
                    relax_durability(bulk=True)
                    run = db.session.get(DocumentImport, run_id)
                    for _ in range(batch):
                        if next(steps, None) is None:
                            finished = True
                            break
                    # write_rows holds the same row (one session): its done and updated_at go with the batch
                    done = run.done
                committed = done
            with unit_of_work():
                run = db.session.get(DocumentImport, run_id)
                services.finish_run(run.started_by, run, plan)
        except Exception as exc:
            _settle(exc)
            message = (
                str(exc.message) if isinstance(exc, (DomainError, FileRefused)) else f"{type(exc).__name__}: {exc}"
            )
            if not isinstance(exc, (DomainError, FileRefused)):
                log.exception("document import %s failed", run_id)
            _stop(run_id, plan, committed, message)
        finally:
            if files is not None:
                files.close()
        return db.session.get(DocumentImport, run_id)

    return _in_context(run_id, request_id, work)


def _settle(exc):
    """After an exception: keep what a recorded refusal recorded (a stored file found damaged),
    undo anything else."""
    if getattr(exc, "kept", False):
        db.session.commit()
    else:
        db.session.rollback()


def _stop(run_id, plan, committed, error):
    """An import stopped by `error`: the rows committed stay (and are signed, as confirmed), the
    rows not reached are reported as not imported."""
    if plan is None:
        _fail(run_id, error)
        return
    with unit_of_work():
        run = db.session.get(DocumentImport, run_id)
        for row in plan.to_write[committed:]:
            row.problems.append(Problem(row.row, "", _l("Not imported: the import stopped before this row.")))
            row.action = REFUSED
        services.finish_run(run.started_by, run, plan, error=error)


def _fail(run_id, error):
    """A dry run (or a run before its first row) stopped by `error`."""
    with unit_of_work():
        run = db.session.get(DocumentImport, run_id)
        previous = run.status
        run.status, run.error = ImportStatus.failed, str(error)[:2000]
        run.finished_at = run.updated_at = utcnow()
        record_event(
            run.started_by,
            "document.import.finished",
            run,
            changes={"status": (previous, run.status)},
            reason=run.error,
        )


def start_check(app, run_id, *, request_id=""):
    """The dry run in a thread of this process (at once with QMS_IMPORT_IN_BACKGROUND off)."""
    return run_in_background(app, lambda: check(run_id, request_id=request_id), name=f"qms-document-check-{run_id}")


def start_apply(app, run_id, *, request_id=""):
    """The import's writing in a thread of this process (at once with QMS_IMPORT_IN_BACKGROUND off)."""
    return run_in_background(app, lambda: apply(run_id, request_id=request_id), name=f"qms-document-import-{run_id}")
