"""Labels of evidence packs: the action the trail shows when a pack is made, the fields it records, the
words for a pack's status and subject, and what a pack's subject is called."""

from flask_babel import lazy_gettext as _l

from qms.core.labels import register
from qms.evidence.models import PackStatus, SubjectKind

STATUS_LABELS = {
    PackStatus.queued: _l("Waiting to start"),
    PackStatus.running: _l("Being built"),
    PackStatus.done: _l("Ready"),
    PackStatus.failed: _l("Failed"),
}
KIND_LABELS = {
    SubjectKind.document: _l("Document"),
    SubjectKind.nonconformity: _l("Nonconformity"),
    SubjectKind.audit: _l("Internal audit"),
}


def subject_name(kind, record) -> str:
    """What people call a pack's subject: "QT-01 – Quy trình ...", "SKPH-2026-001 – ...", "ĐGNB-2026-01 – ..."."""
    if kind is SubjectKind.document:
        return f"{record.code} – {record.title}"
    if kind is SubjectKind.nonconformity:
        return f"{record.number} – {record.title}"
    return f"{record.code} – {record.title}"


register(
    actions={"evidence_pack.created": _l("Evidence pack exported")},
    records={"evidence_packs": _l("Evidence pack")},
    fields={
        "pack_subject": _l("Subject of the evidence pack"),
        "pack_size": _l("Size of the evidence pack (bytes)"),
        "pack_files": _l("Files in the evidence pack"),
        "chain_head": _l("Last audit event in the pack"),
    },
    values={"via": {"cli": _l("Command line")}},
    origins={"evidence": _l("Evidence pack (built in the background)")},
)
