"""Every page of the demo commune (tests/e2e/conftest.py: demo_site), per demo account.

The pages are read from app.url_map, as the access matrix reads them (tests/core/test_access_matrix.py):
every GET rule that answers with a page (not a download, an export or the API), for each role its
access declaration admits, its URL arguments filled with demo records in each state a page shows
differently (a draft, a version in review, one in force, a superseded and an obsolete one...), and a
few query strings that change what a page shows (the external master list, a search, a filter).
A new page whose URL argument has no sample here fails the tests that walk the pages, naming it.
"""

from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.audits.models import Audit, AuditProgramme
from qms.auth.models import ALL_ROLES, User
from qms.core.access import PUBLIC, SIGNED_IN, endpoint_access
from qms.db import db
from qms.demo import DEMO_USERS
from qms.documents.models import Document, DocumentImport, DocumentKind, DocumentStatus, DocumentVersion, VersionStatus
from qms.dossiers.models import Dossier, DossierImport
from qms.evidence.models import EvidencePack
from qms.feedback.models import FeedbackItem
from qms.nonconformities.models import Nonconformity
from qms.processes.models import Procedure

# Rules that answer with something else than a page.
NOT_PAGES = {
    "static",
    "home.health",
    "audit.export_csv",
    "documents.download_current",
    "documents.download_version",
    "documents.download_original",
    "documents.code_example_of",  # JSON for the settings page's live example
    "nonconformities.export_report",  # .docx
    "nonconformities.export_register",  # .xlsx
    "nonconformities.download_evidence",  # the evidence file
    "processes.diagram_svg",  # the drawn process, as a file
    "processes.diagram_png",
    "dossiers.export_ledger",  # .xlsx
    "dossiers.export_monitoring",  # .xlsx
    "dossiers.download_form",  # a one-stop form filled, .docx
    "dossiers.ledger_docx",  # the ledger form filled, .docx
    "dossiers.import_progress",  # JSON the import's page polls
    "documents.import_progress",  # JSON the document system's import page polls
    "audits.download_record",  # a signed audit plan or report, .docx
    "audits.download_attachment",  # an evidence file of a checklist question
    "evidence.pack_progress",  # JSON the pack's page polls
    "evidence.download_pack",  # the pack, .zip
}

# One demo account per role: the role's name -> user name (qms.demo.DEMO_USERS).
ACCOUNTS = {}
for _username, _full_name, _role, _units in DEMO_USERS:
    ACCOUNTS.setdefault(_role, _username)
assert set(ACCOUNTS) == set(ALL_ROLES), "the demo has an account for every role"

# Pages opened with every sample of their argument (a document or version in each state, the history
# of each kind of record); the others (forms to fill in) with the first sample only.
EVERY_SAMPLE = {
    "documents.show_document",
    "documents.show_version",
    "documents.compare_versions",
    "audit.record_history",
    "feedback.show_item",
    "nonconformities.show_nc",
    "dossiers.show_dossier",
    "audits.show_programme",
    "audits.show_audit",
    "audits.show_checklist",
}

# A URL argument whose demo records depend on the endpoint: {endpoint: {argument: key of _samples()}}
# (a dossier's page takes a dossier's code, a procedure's page a procedure's).
ENDPOINT_SAMPLES = {
    "dossiers.show_dossier": {"code": "dossier_code"},
    "documents.show_import": {"import_id": "document_import_id"},
}

# Query strings that change what a list shows, per endpoint ("" is the page as the menu opens it).
VARIANTS = {
    "documents.master_list": ["", "?which=external"],
    "documents.current_forms": [
        "",
        "?field=H%E1%BB%99+t%E1%BB%8Bch",  # one field chosen: aria-current on it
        "?procedure={procedure}",  # one procedure in force (a demo sample), under its breadcrumb
        "?q=khai+sinh",
        "?q=kh%C3%B4ng+c%C3%B3+g%C3%AC",
    ],
    "documents.list_documents": ["", "?q=QT"],
    "audit.index": ["", "?from=31/02/2020"],
    "nonconformities.list_ncs": ["", "?status=closed", "?overdue=1", "?detected_from=31/02/2026"],
    "dossiers.list_dossiers": ["", "?status=supplement", "?late=1", "?received_from=31/02/2026"],
    "dossiers.monitoring_page": ["", "?year=1999"],
    "processes.list_procedures": [
        "",
        "?q=khai+sinh",
        "?field=H%E1%BB%99+t%E1%BB%8Bch",
        "?q=kh%C3%B4ng+c%C3%B3+g%C3%AC",
    ],
}


def _samples():
    """URL argument -> the demo records that fill it: {name: [value, ...]} (or, for the trail's
    record history, entity -> [(entity_type, entity_id), ...])."""
    versions = {}
    for version in db.session.scalars(select(DocumentVersion).order_by(DocumentVersion.id)):
        versions.setdefault(version.status, version.id)
    documents = {}
    for document in db.session.scalars(select(Document).order_by(Document.id)):
        key = (document.kind, document.status)
        documents.setdefault(key, document.id)
    # A document in force whose own page lists its forms, one with a draft in progress.
    in_progress = db.session.scalar(
        select(DocumentVersion.document_id)
        .where(DocumentVersion.status.in_([VersionStatus.draft, VersionStatus.in_review]))
        .limit(1)
    )
    staff = db.session.scalar(select(User.id).where(User.username == ACCOUNTS["staff"]))
    # The record with the most events of each kind: its history is the longest one.
    histories = []
    for entity_type in db.session.scalars(select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)):
        if entity_type:
            entity_id = db.session.scalar(
                select(AuditEvent.entity_id)
                .where(AuditEvent.entity_type == entity_type)
                .group_by(AuditEvent.entity_id)
                .order_by(func.count().desc(), AuditEvent.entity_id)
                .limit(1)
            )
            histories.append((entity_type, entity_id))
    # Citizens' feedback: an item of each status the demo has (waiting, an NC opened, closed).
    feedback = {}
    for item_id, status in db.session.execute(select(FeedbackItem.id, FeedbackItem.status).order_by(FeedbackItem.id)):
        feedback.setdefault(status, item_id)
    # Nonconformities: one of each status the demo has (each shows other steps and forms).
    ncs = {}
    for nc_id, status in db.session.execute(select(Nonconformity.id, Nonconformity.status).order_by(Nonconformity.id)):
        ncs.setdefault(status, nc_id)
    # Procedures (the process maps imported over the demo's documents): one in force, and one whose
    # process document is not in force yet (its page says so), when the demo has one.
    procedures = list(db.session.scalars(select(Procedure.code).order_by(Procedure.code)))
    assert procedures, "the demo imports its process maps (qms.demo)"
    # Dossiers: one of each status the demo has (each page offers other actions).
    dossiers = {}
    for code, status in db.session.execute(select(Dossier.code, Dossier.status).order_by(Dossier.id)):
        dossiers.setdefault(status, code)
    # Internal audits: every programme's year, and an audit of each status the demo has.
    audits = {}
    for audit_id, status in db.session.execute(select(Audit.id, Audit.status).order_by(Audit.id)):
        audits.setdefault(status, audit_id)
    document_ids = sorted({*documents.values(), in_progress} - {None})
    assert any(key[1] is DocumentStatus.active for key in documents), "the demo has documents in force"
    return {
        "user_id": [staff],
        "document_id": document_ids,
        "version_id": sorted(versions.values()),
        "entity": histories,
        "feedback_id": sorted(feedback.values()),
        "nc_id": sorted(ncs.values()),
        "code": procedures,
        "dossier_code": list(dossiers.values()),
        # the import of the provincial system's example file (tests/e2e/conftest.py)
        "import_id": list(db.session.scalars(select(DossierImport.id).order_by(DossierImport.id))),
        # the dry run of the sample document system (tests/e2e/conftest.py)
        "document_import_id": list(db.session.scalars(select(DocumentImport.id).order_by(DocumentImport.id))),
        "year": list(db.session.scalars(select(AuditProgramme.year).order_by(AuditProgramme.year))),
        "audit_id": sorted(audits.values()),
        # the auditor's pack of an audit (tests/e2e/conftest.py)
        "pack_id": list(db.session.scalars(select(EvidencePack.id).order_by(EvidencePack.id))),
    }


# The public pages (no sign-in), walked signed out (public_pages_of), with the query strings that change
# what they show: {commune} is the demo commune's code, {dossier} a demo dossier's code (the lookup
# page opened from a receipt slip's QR code).
PUBLIC_VARIANTS = {
    "lookup.lookup_form": ["", "?commune={commune}", "?commune={commune}&ma={dossier}"],
}


def public_pages_of(app):
    """[(endpoint, path)] of every public page without URL arguments (a GET rule declared @public
    that answers with a page), each with its PUBLIC_VARIANTS, in a stable order."""
    from qms.auth.models import Commune
    from qms.dossiers.models import Dossier

    with app.app_context():
        commune = db.session.scalar(select(Commune.code).order_by(Commune.id).limit(1))
        dossier = db.session.scalar(select(Dossier.code).order_by(Dossier.id).limit(1))
        out = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
            if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint in NOT_PAGES:
                continue
            if endpoint_access(rule.endpoint) != PUBLIC or rule.arguments:
                continue
            path = rule.build({}, append_unknown=False)[1]
            for query in PUBLIC_VARIANTS.get(rule.endpoint, [""]):
                if ("{dossier}" in query and dossier is None) or ("{commune}" in query and commune is None):
                    continue
                query = query.replace("{commune}", commune or "").replace("{dossier}", dossier or "")
                out.append((rule.endpoint, path + query))
        return out


def _procedure_in_force():
    """A demo procedure in force: {procedure} in the query strings of VARIANTS."""
    return db.session.scalar(
        select(Document.id)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(
            Document.kind == DocumentKind.procedure,
            Document.status == DocumentStatus.active,
            DocumentVersion.status == VersionStatus.effective,
        )
        .order_by(Document.code)
        .limit(1)
    )


def pages_of(app, role):
    """[(endpoint, path)] of every page `role` may open in the demo commune, signed in, in a stable
    order."""
    with app.app_context():
        samples = _samples()
        procedure = str(_procedure_in_force())
        assert procedure != "None", "the demo has a procedure in force"
        out = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
            if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint in NOT_PAGES:
                continue
            access = endpoint_access(rule.endpoint)
            if access == PUBLIC or (SIGNED_IN not in access and role not in access):
                continue  # the public pages (sign-in) are walked signed out
            arguments = set(rule.arguments)
            if arguments == {"entity_type", "entity_id"}:
                values = [{"entity_type": t, "entity_id": i} for t, i in samples["entity"]]
            elif not arguments:
                values = [{}]
            else:
                missing = arguments - set(samples)
                if len(arguments) != 1 or missing:
                    raise AssertionError(
                        f"{rule.endpoint} ({rule.rule}) takes {sorted(arguments)}: give it demo samples in "
                        "tests/e2e/pages.py (_samples)"
                    )
                (name,) = arguments
                key = ENDPOINT_SAMPLES.get(rule.endpoint, {}).get(name, name)
                values = [{name: value} for value in samples[key]]
            if rule.endpoint not in EVERY_SAMPLE:
                values = values[:1]
            for arguments_of_page in values:
                path = rule.build(arguments_of_page, append_unknown=False)[1]
                for query in VARIANTS.get(rule.endpoint, [""]):
                    out.append((rule.endpoint, path + query.replace("{procedure}", procedure)))
        return out
