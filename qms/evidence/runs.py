"""Building a pack asked for on a page, in the background (qms.core.background, as dossier imports
run): the request's row is committed queued; the work marks it running, commits its progress after
each step (the page polls it), stores the built .zip (qms.files.storage) and marks it done with the
audit event "evidence_pack.created", in one unit of work; or records why it failed."""

import logging
import os
import tempfile
import uuid

from flask import current_app
from flask_babel import force_locale

from qms.audit.services import audit_context
from qms.core.background import run_in_background
from qms.core.calendar import utcnow
from qms.db import DomainError, db, unit_of_work
from qms.evidence import services
from qms.evidence.models import EvidencePack, PackStatus

log = logging.getLogger(__name__)

STALE_MINUTES = 10  # a pack being built without progress for this long stopped with its server


def run_pack(pack_id, *, request_id="") -> EvidencePack:
    """Build the pack whose row is `pack_id` (committed by request_pack), in the current application
    context. Returns its row, done or failed."""
    with audit_context(ip="evidence", request_id=request_id or f"evidence-{uuid.uuid4().hex[:12]}"):
        pack = db.session.get(EvidencePack, pack_id)
        actor, kind, key = pack.requested_by, pack.subject_kind, pack.subject_key
        with force_locale(actor.locale or current_app.config["QMS_DEFAULT_LOCALE"]):
            with unit_of_work():
                services.note_progress(db.session.get(EvidencePack, pack_id), 0, 0)

            def progress(done, total):
                with unit_of_work():
                    services.note_progress(db.session.get(EvidencePack, pack_id), done, total)

            with tempfile.TemporaryDirectory(prefix="qms-evidence-") as folder:
                path = os.path.join(folder, "pack.zip")
                try:
                    contents, manifest = services.build_to_file(actor, kind, key, path, on_progress=progress)
                    sha256, size = services.file_digest(path)
                    with open(path, "rb") as stream:
                        data = stream.read()
                    with unit_of_work():
                        from qms.files.storage import store_bytes

                        stored = store_bytes(data)
                        del data
                        row = db.session.get(EvidencePack, pack_id)
                        services.finish_pack(row, stored, size=size, file_name=services.pack_file_name(contents))
                        services.record_pack_created(actor, contents, manifest, sha256=sha256, size=size, via="web")
                except DomainError as exc:
                    db.session.rollback()
                    _fail(pack_id, exc.message)
                except Exception as exc:
                    db.session.rollback()
                    log.exception("evidence pack %s failed", pack_id)
                    _fail(pack_id, f"{type(exc).__name__}: {exc}")
        return db.session.get(EvidencePack, pack_id)


def _fail(pack_id, error):
    with unit_of_work():
        services.fail_pack(db.session.get(EvidencePack, pack_id), error)


def start_in_background(app, pack_id, *, request_id=""):
    """Build the pack in a thread of this process (qms.core.background.run_in_background)."""
    return run_in_background(app, lambda: run_pack(pack_id, request_id=request_id), name=f"qms-evidence-{pack_id}")


def is_stale(pack, now=None) -> bool:
    """A pack queued or being built that has not moved for STALE_MINUTES: its server stopped."""
    if pack.status not in (PackStatus.queued, PackStatus.running):
        return False
    return ((now or utcnow()) - pack.updated_at).total_seconds() > STALE_MINUTES * 60
