"""What a pack holds for each kind of subject, read through the other areas' services, queries, models
and labels: the records (as JSON and in the index), the stored files, and the records whose audit
events go into events.csv. Each `Step` writes one part of the pack; the pack's progress counts them.

A document: every version's original file and its controlled copy (stamped as a download would be,
issued to the person making the pack), each version's signatures (checked) and acknowledgments, the
NCs that name the document. An NC: its record and report, its evidence files, items, reviews and
signatures. An audit: its record (scope, team, checklist with results and notes, findings with their
NCs' states), evidence files, the signed plan's and report's files and their signatures.

Text in the pack is Vietnamese whatever the reader's language (like every export, qms.core.exports)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from qms.core.calendar import format_date, format_datetime, local_today
from qms.core.exports import vietnamese
from qms.db import DomainError, db
from qms.evidence.models import SubjectKind
from qms.evidence.pack import PackWriter, safe_name
from qms.files.services import FileDamaged, read_stored
from qms.signatures.services import signatures_of

NOT_STAMPED = "Không tạo được bản kiểm soát của tệp này"
DAMAGED = "Tệp lưu trữ bị thiếu hoặc hư hỏng"


@dataclass
class Step:
    """One part of the pack, written by write(pack)."""

    title: str
    write: Callable[[PackWriter], None]


@dataclass
class Grid:
    """A table of the index: columns [(heading, key, width mm, centred)], rows of dicts by key."""

    heading: str
    columns: list
    rows: list
    empty: str = "Không có."


@dataclass
class Contents:
    kind: SubjectKind
    key: str
    name: str
    commune: object
    summary: list = field(default_factory=list)  # [(label, value)] of the index's first table
    grids: list = field(default_factory=list)  # [Grid]
    steps: list = field(default_factory=list)  # [Step]
    records: list = field(default_factory=list)  # [(entity_type, entity_id)] whose events are in the pack
    notes: list = field(default_factory=list)  # what could not be put in (a damaged file), in words


def _iso(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _person(user):
    return user.full_name if user is not None else ""


def signature_entry(signature, subject, meaning_labels=None) -> dict:
    """A signature as the pack records it: who, when, what it means, its seal and digest, and whether
    it still holds (qms.signatures.services.verify)."""
    from qms.nonconformities.exports import signature_state

    meaning = signature.meaning
    if meaning_labels is not None:
        try:
            meaning = vietnamese(meaning_labels, meaning)
        except KeyError:
            pass
    return {
        "meaning": meaning,
        "signer": signature.signer_name,
        "signed_at": _iso(signature.signed_at),
        "signed_at_vn": format_datetime(signature.signed_at),
        "comment": signature.comment,
        "signed_digest": signature.signed_digest,
        "seal": signature.seal,
        "state": signature_state(signature, subject, None),
    }


def _stored_file(contents, path, sha256, actor, found_in):
    """Write a stored file into the pack; a missing or damaged one is noted instead (and recorded as
    damaged by read_stored)."""

    def write(pack):
        try:
            pack.add_bytes(path, read_stored(sha256, actor, found_in=found_in))
        except FileDamaged:
            contents.notes.append(f"{path}: {DAMAGED} (SHA-256 {sha256})")

    return write


SIGNATURE_COLUMNS = [
    ("Hồ sơ", "record", 30, False),
    ("Ý nghĩa", "meaning", 35, False),
    ("Người ký", "signer", 30, False),
    ("Thời gian ký", "signed_at_vn", 25, True),
    ("Tình trạng chữ ký", "state", 45, False),
]


# --- a document -------------------------------------------------------------------------------------


def document_contents(actor, document) -> Contents:
    from qms.documents import services as documents
    from qms.documents.labels import KIND_LABELS, MEANING_LABELS, STATUS_LABELS, version_name
    from qms.documents.queries import acknowledgment_state
    from qms.nonconformities import queries as nc_queries
    from qms.nonconformities.labels import STATUS_LABELS as NC_STATUS_LABELS

    versions = sorted(document.versions, key=lambda v: v.issue_no)
    contents = Contents(
        SubjectKind.document, document.code, f"{document.code} – {document.title}", _commune(document.commune_id)
    )
    contents.summary = [
        ("Mã tài liệu", document.code),
        ("Tên tài liệu", document.title),
        ("Loại tài liệu", vietnamese(KIND_LABELS, document.kind)),
        ("Trạng thái", vietnamese(STATUS_LABELS, document.status.value)),
        ("Đơn vị chủ trì", document.owning_unit.name if document.owning_unit else ""),
        ("Số lần ban hành", str(len(versions))),
    ]
    contents.records = [("documents", str(document.id))] + [("document_versions", str(v.id)) for v in versions]
    record = {
        "code": document.code,
        "title": document.title,
        "kind": document.kind.value,
        "status": document.status.value,
        "created_at": _iso(document.created_at),
        "versions": [],
        "nonconformities": [],
    }
    issue_rows, signature_rows, ack_rows = [], [], []
    for version in versions:
        name = version_name(document.code, version.issue_no)
        signatures = [signature_entry(s, version, MEANING_LABELS) for s in signatures_of(version)]
        done, waiting = acknowledgment_state(version)
        acknowledgments = [
            {"user": u.full_name, "assigned_at": _iso(a.assigned_at), "acknowledged_at": _iso(a.acknowledged_at)}
            for u, a in done + waiting
        ]
        primary = version.primary_file
        folder = f"versions/{version.issue_label}"
        record["versions"].append(
            {
                "issue": version.issue_no,
                "status": version.status.value,
                "change_summary": version.change_summary,
                "reason": version.reason,
                "author": _person(version.author),
                "reviewed_by": _person(version.reviewed_by),
                "reviewed_at": _iso(version.reviewed_at),
                "approved_by": _person(version.approved_by),
                "approved_at": _iso(version.approved_at),
                "effective_date": _iso(version.effective_date),
                "superseded_at": _iso(version.superseded_at),
                "file": None
                if primary is None
                else {"name": primary.filename, "sha256": primary.sha256, "size": primary.size},
                "signatures": signatures,
                "acknowledgments": acknowledgments,
            }
        )
        issue_rows.append(
            {
                "issue": version.issue_label,
                "status": vietnamese(STATUS_LABELS, version.status.value),
                "author": _person(version.author),
                "approved": f"{_person(version.approved_by)} {format_date(version.approved_at)}".strip(),
                "effective": format_date(version.effective_date),
                "file": primary.filename if primary else "",
            }
        )
        signature_rows += [{"record": name, **s} for s in signatures]
        ack_rows += [
            {
                "issue": version.issue_label,
                "user": u.full_name,
                "assigned": format_date(a.assigned_at),
                "acknowledged": format_date(a.acknowledged_at) if a.acknowledged_at else "Chưa xác nhận",
            }
            for u, a in done + waiting
        ]
        if primary is not None:
            contents.steps.append(
                Step(name, _version_files(contents, actor, version, folder, documents.controlled_copy))
            )
    ncs = nc_queries.naming_document(document.commune_id, document.id)
    for nc in ncs:
        contents.records.append(("nonconformities", str(nc.id)))
        record["nonconformities"].append({"number": nc.number, "title": nc.title, "status": nc.status.value})
    contents.steps.insert(0, Step("record.json", lambda pack: pack.add_json("record.json", record)))
    if ncs:
        contents.steps.append(Step("nonconformities", lambda pack: _nc_records(pack, ncs)))
    contents.grids = [
        Grid(
            "Các lần ban hành",
            [
                ("Lần", "issue", 12, True),
                ("Trạng thái", "status", 30, False),
                ("Người soạn thảo", "author", 30, False),
                ("Phê duyệt", "approved", 38, False),
                ("Hiệu lực", "effective", 22, True),
                ("Tệp", "file", 33, False),
            ],
            issue_rows,
        ),
        Grid("Chữ ký", SIGNATURE_COLUMNS, signature_rows, "Chưa có chữ ký nào."),
        Grid(
            "Xác nhận đã đọc",
            [
                ("Lần", "issue", 12, True),
                ("Người được phân phối", "user", 63, False),
                ("Ngày giao", "assigned", 40, True),
                ("Ngày xác nhận", "acknowledged", 50, True),
            ],
            ack_rows,
        ),
        Grid(
            "Sự không phù hợp liên quan",
            [("Số phiếu", "number", 35, False), ("Nội dung", "title", 90, False), ("Trạng thái", "status", 40, False)],
            [{"number": nc.number, "title": nc.title, "status": vietnamese(NC_STATUS_LABELS, nc.status)} for nc in ncs],
        ),
    ]
    return contents


def _version_files(contents, actor, version, folder, controlled_copy):
    primary = version.primary_file

    def write(pack):
        try:
            data = read_stored(primary.sha256, actor, found_in=version)
        except FileDamaged:
            contents.notes.append(f"{folder}: {DAMAGED} (SHA-256 {primary.sha256})")
            return
        pack.add_bytes(f"{folder}/original/{safe_name(primary.filename)}", data)
        del data
        try:
            stamped = controlled_copy(actor, version)
        except DomainError:
            contents.notes.append(f"{folder}: {NOT_STAMPED}")
            return
        pack.add_bytes(f"{folder}/controlled-copy/{safe_name(primary.filename)}", stamped)

    return write


def _nc_records(pack, ncs):
    from qms.nonconformities.exports import report_values

    today = local_today()
    for nc in ncs:
        commune = _commune(nc.commune_id)
        pack.add_json(f"nonconformities/{safe_name(nc.number)}.json", report_values(nc, commune, today))


def _commune(commune_id):
    from qms.auth.models import Commune

    return db.session.get(Commune, commune_id)


# --- a nonconformity ----------------------------------------------------------------------------------


def nc_contents(actor, nc) -> Contents:
    from qms.nonconformities import exports as nc_exports
    from qms.nonconformities.labels import nc_name
    from qms.nonconformities.queries import load_story

    load_story(nc)
    commune = _commune(nc.commune_id)
    values = nc_exports.report_values(nc, commune, local_today())
    contents = Contents(SubjectKind.nonconformity, str(nc.id), nc_name(nc.number, nc.title), commune)
    contents.summary = [
        ("Số phiếu", values["so_phieu"]),
        ("Nội dung", values["ten"]),
        ("Nguồn", values["nguon"]),
        ("Mức độ", values["muc_do"]),
        ("Trạng thái", values["trang_thai"]),
        ("Người phát hiện", values["nguoi_phat_hien"]),
        ("Ngày phát hiện", values["ngay_phat_hien"]),
    ]
    contents.records = [("nonconformities", str(nc.id))]
    attachments = list(nc.attachments)
    contents.steps = [
        Step("record.json", lambda pack: pack.add_json("record.json", values)),
        Step(
            "report.docx",
            lambda pack: pack.add_bytes(
                f"{safe_name(nc.number)}.docx", nc_exports.report_docx(nc, commune, local_today())
            ),
        ),
    ]
    for attachment in attachments:
        path = f"attachments/{attachment.id}-{safe_name(attachment.filename)}"
        contents.steps.append(Step(path, _stored_file(contents, path, attachment.sha256, actor, nc)))
    contents.grids = [
        Grid("Hành động khắc phục", nc_exports.ACTION_COLUMNS, values["hanh_dong"], "Chưa có hành động nào."),
        Grid("Đánh giá hiệu lực", nc_exports.REVIEW_COLUMNS, values["danh_gia"], "Chưa có đánh giá nào."),
        Grid("Chữ ký", nc_exports.SIGNATURE_COLUMNS, values["chu_ky"], "Chưa có chữ ký nào."),
        Grid(
            "Tệp bằng chứng",
            [("Tệp", "file", 90, False), ("Kích thước (byte)", "size", 30, True), ("SHA-256", "sha", 45, False)],
            [{"file": a.filename, "size": a.size, "sha": a.sha256[:16] + "…"} for a in attachments],
        ),
    ]
    return contents


# --- an internal audit ----------------------------------------------------------------------------------


def audit_contents(actor, audit) -> Contents:
    from qms.audits.labels import AUDIT_STATUS_LABELS, GRADE_LABELS, MEANING_LABELS, RESULT_LABELS, audit_name
    from qms.nonconformities.labels import STATUS_LABELS as NC_STATUS_LABELS
    from qms.nonconformities.models import Nonconformity

    commune = _commune(audit.commune_id)
    contents = Contents(SubjectKind.audit, str(audit.id), audit_name(audit.code, audit.title), commune)
    team = [f"{m.user.full_name}{' (trưởng đoàn)' if m.is_lead else ''}" for m in audit.team]
    contents.summary = [
        ("Mã cuộc đánh giá", audit.code),
        ("Tên", audit.title),
        ("Trạng thái", vietnamese(AUDIT_STATUS_LABELS, audit.status)),
        ("Điều khoản ISO 9001", ", ".join(audit.clauses or [])),
        ("Chuẩn mực đánh giá", audit.criteria),
        ("Thời gian dự kiến", f"{format_date(audit.planned_start)} – {format_date(audit.planned_end)}"),
        ("Đơn vị được đánh giá", ", ".join(u.unit.name for u in audit.units)),
        ("Đoàn đánh giá", ", ".join(team)),
        ("Tóm tắt", audit.summary),
        ("Điểm mạnh", audit.strengths),
        ("Kết luận", audit.conclusions),
    ]
    ncs = {
        nc.id: nc
        for nc in db.session.scalars(
            db.select(Nonconformity).where(Nonconformity.id.in_([f.nc_id for f in audit.findings if f.nc_id]))
        )
    }
    items = [
        {
            "position": item.position,
            "clause": item.clause,
            "question": item.own_text if item.own_text is not None else (item.question.text if item.question else ""),
            "result": vietnamese(RESULT_LABELS, item.result) if item.result else "Chưa trả lời",
            "notes": item.notes,
            "answered_by": _person(item.answered_by),
            "answered_at": _iso(item.answered_at),
        }
        for item in audit.items
    ]
    findings = [
        {
            "clause": f.clause,
            "grade": vietnamese(GRADE_LABELS, f.grade),
            "description": f.description,
            "nc": ncs[f.nc_id].number if f.nc_id in ncs else "",
            "nc_status": vietnamese(NC_STATUS_LABELS, ncs[f.nc_id].status) if f.nc_id in ncs else "",
            "decision": f.decision.value if f.decision else "",
        }
        for f in audit.findings
    ]
    records, signature_rows = [], []
    for row in audit.records:
        try:
            signatures = [signature_entry(s, row, _by_value(MEANING_LABELS)) for s in signatures_of(row)]
        except LookupError:  # signed records not yet declared as signature subjects
            signatures = []
        name = f"{row.kind.value}-{row.revision:02d}"
        records.append(
            {
                "kind": row.kind.value,
                "revision": row.revision,
                "file": row.filename,
                "sha256": row.sha256,
                "created_at": _iso(row.created_at),
                "signatures": signatures,
            }
        )
        signature_rows += [{"record": name, **s} for s in signatures]
        path = f"records/{name}/{safe_name(row.filename)}"
        contents.steps.append(Step(path, _stored_file(contents, path, row.sha256, actor, row)))
    for attachment in audit.attachments:
        path = f"attachments/{attachment.id}-{safe_name(attachment.filename)}"
        contents.steps.append(Step(path, _stored_file(contents, path, attachment.sha256, actor, audit)))
    record = {
        "code": audit.code,
        "title": audit.title,
        "status": audit.status.value,
        "clauses": list(audit.clauses or []),
        "criteria": audit.criteria,
        "planned_start": _iso(audit.planned_start),
        "planned_end": _iso(audit.planned_end),
        "started_at": _iso(audit.started_at),
        "reported_at": _iso(audit.reported_at),
        "closed_at": _iso(audit.closed_at),
        "units": [u.unit.name for u in audit.units],
        "team": team,
        "summary": audit.summary,
        "strengths": audit.strengths,
        "conclusions": audit.conclusions,
        "checklist": items,
        "findings": findings,
        "records": records,
    }
    contents.steps.insert(0, Step("record.json", lambda pack: pack.add_json("record.json", record)))
    contents.records = (
        [("audits", str(audit.id))]
        + [("audit_findings", str(f.id)) for f in audit.findings]
        + [("audit_checklist_items", str(i.id)) for i in audit.items]
        + [("audit_records", str(r.id)) for r in audit.records]
    )
    contents.grids = [
        Grid(
            "Danh mục câu hỏi đánh giá",
            [
                ("Điều khoản", "clause", 20, True),
                ("Câu hỏi", "question", 60, False),
                ("Kết quả", "result", 30, False),
                ("Bằng chứng ghi nhận", "notes", 55, False),
            ],
            items,
        ),
        Grid(
            "Phát hiện",
            [
                ("Điều khoản", "clause", 20, True),
                ("Mức", "grade", 30, False),
                ("Mô tả", "description", 55, False),
                ("Phiếu SKPH", "nc", 30, False),
                ("Trạng thái SKPH", "nc_status", 30, False),
            ],
            findings,
        ),
        Grid("Chữ ký trên kế hoạch và báo cáo", SIGNATURE_COLUMNS, signature_rows, "Chưa có chữ ký nào."),
    ]
    return contents


def _by_value(labels):
    return {getattr(key, "value", key): label for key, label in labels.items()}
