"""Running an import of the provincial one-stop system's file (qms.dossiers.services.imports) from
start to end, for the command (`qms dossier import`) and the page (in a background thread).

The import is long work: each batch of rows is a unit of work of its own (qms.db.unit_of_work),
committed with the import's progress on its record (dossier_imports, which the page polls), so the
database's write lock is never held for more than a batch and what was imported stays if the import
stops (running it again passes over the dossiers already recorded). A batch's commit does not wait
for the disk; the import's end does (qms.db.relax_durability). The bad rows' reasons are
written in the importing person's language.
"""

import logging
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from qms.audit.services import audit_context
from qms.core.background import run_in_background
from qms.core.calendar import utcnow
from qms.core.heap import set_aside_the_heap
from qms.db import db, relax_durability, unit_of_work
from qms.dossiers.import_files import FileRefused, open_rows
from qms.dossiers.models import DossierImport, ImportStatus
from qms.dossiers.services.imports import BATCH, finish_import, import_rows, record_progress

log = logging.getLogger(__name__)

STALE_MINUTES = 10  # a running import without progress for this long stopped with its server


@dataclass
class Outcome:
    """How a run ended: its record's id, and what stopped it ("" when it finished)."""

    import_id: int
    error: str = ""


def run_import(import_id, opener, *, on_progress=None, batch=BATCH, ip="", request_id="") -> Outcome:
    """Run the import whose record is `import_id` (started by start_import and committed) over
    the rows of `opener()` (a qms.dossiers.import_files.RowSource), in the current application
    context. Each batch is committed with the record's progress; on_progress(progress, source),
    if given, is called after each commit. A file that cannot be read (on) fails the import with
    its reason, the rows before it kept; an unexpected error fails it too and goes on."""
    with audit_context(ip=ip or "import", request_id=request_id or f"import-{uuid.uuid4().hex[:12]}"):
        run = db.session.get(DossierImport, import_id)
        actor, commune = run.started_by, run.started_by.commune
        with force_locale(actor.locale or current_app.config["QMS_DEFAULT_LOCALE"]):
            try:
                source = opener()
            except FileRefused as exc:
                return _end(import_id, str(exc.message))
            # the workbook's strings, read now, are set aside with the rest (qms.core.heap)
            with set_aside_the_heap():
                try:
                    steps = import_rows(actor, commune, source, run.file_name, columns=source.header.names, batch=batch)
                    stopped = ""
                    while True:
                        with unit_of_work():
                            # A batch's commit need not wait for the disk: the import's end, committed
                            # durably, makes it durable; a power cut before that loses whole batches,
                            # which running the import again writes (qms.db.relax_durability).
                            relax_durability(bulk=True)
                            progress = next(steps, None)
                            if progress is None:
                                break
                            run = db.session.get(DossierImport, import_id)
                            record_progress(run, progress, source.fraction(), ignored_columns=source.header.ignored)
                            stopped = progress.stopped
                        if on_progress is not None:
                            on_progress(progress, source)
                    return _end(import_id, stopped)
                except Exception as exc:
                    db.session.rollback()
                    log.exception("dossier import %s failed", import_id)
                    _end(import_id, f"{type(exc).__name__}: {exc}")
                    raise
                finally:
                    source.close()


def _end(import_id, error) -> Outcome:
    with unit_of_work():
        run = db.session.get(DossierImport, import_id)
        finish_import(run.started_by, run, error=error)
    return Outcome(import_id, error)


def is_stale(run: DossierImport, now=None) -> bool:
    """A running import that has not moved for STALE_MINUTES: its server stopped under it."""
    if run.status is not ImportStatus.running:
        return False
    return ((now or utcnow()) - run.updated_at).total_seconds() > STALE_MINUTES * 60


def start_in_background(app, import_id, data, *, file_name, request_id=""):
    """Run the import of `data` (the uploaded bytes) in a thread of this process, in an
    application context of its own; with QMS_IMPORT_IN_BACKGROUND off (tests) in this thread, now.
    Returns the thread (None when run now)."""
    import io

    def work():
        try:
            run_import(import_id, lambda: open_rows(file_name, io.BytesIO(data), len(data)), request_id=request_id)
        except Exception:  # noqa: BLE001 - logged and recorded on the import by run_import
            pass

    return run_in_background(app, work, name=f"qms-import-{import_id}")
