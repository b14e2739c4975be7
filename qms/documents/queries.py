"""Read-side queries of document control: lists, queues and the current-forms page.

Each query filters by what the user may see with the same rule as permissions.py (staff: active
documents and effective versions only), in SQL, so that lists and counts never leak a draft.
"""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from qms.auth.models import User
from qms.core.lists import Page, paginate
from qms.core.names import by_name, name_sort_key
from qms.db import db
from qms.documents import permissions as perm
from qms.documents.models import (
    Acknowledgment,
    ChangeRequest,
    ChangeRequestStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    VersionFile,
    VersionStatus,
)
from qms.documents.search import search_version_ids

STATUS_FILTERS = ("active", "obsolete", "draft", "in_review", "approved", "effective")
PER_PAGE = 50


def _has_effective():
    return exists().where(DocumentVersion.document_id == Document.id, DocumentVersion.status == VersionStatus.effective)


def visible_documents_query(user):
    """Documents the user may see (permissions.can_view_document, as SQL)."""
    query = select(Document).where(Document.commune_id == user.commune_id)
    if not perm.sees_history(user):
        query = query.where(
            Document.status == DocumentStatus.active, or_(Document.kind == DocumentKind.external, _has_effective())
        )
    return query


def visible_statuses(user):
    """Version statuses the user may see."""
    return list(VersionStatus) if perm.sees_history(user) else [VersionStatus.effective]


def _matching_document_ids(user, q, kinds=None):
    version_ids = search_version_ids(user.commune_id, q, statuses=visible_statuses(user), kinds=kinds, limit=2000)
    if not version_ids:
        return set()
    return set(db.session.scalars(select(DocumentVersion.document_id).where(DocumentVersion.id.in_(version_ids))))


def list_documents(user, *, kind=None, status=None, unit_id=None, q=None, page=1, per_page=PER_PAGE) -> Page:
    """One page of the documents the user may see, filtered (qms.core.lists.Page).

    status: a document status (active, obsolete) or a version status (the documents having a version
    in it). q: code, title or text (search.py), insensitive to case and diacritics."""
    query = visible_documents_query(user)
    if kind:
        query = query.where(Document.kind == DocumentKind(kind))
    if status in ("active", "obsolete"):
        query = query.where(Document.status == DocumentStatus(status))
    elif status in STATUS_FILTERS:
        wanted = VersionStatus(status)
        if wanted not in visible_statuses(user):
            return Page(items=[], per_page=per_page, number=page, total=0)
        query = query.where(
            exists().where(DocumentVersion.document_id == Document.id, DocumentVersion.status == wanted)
        )
    if unit_id:
        query = query.where(Document.owning_unit_id == unit_id)
    if q and q.strip():
        ids = _matching_document_ids(user, q)
        query = query.where(or_(Document.id.in_(ids) if ids else False, *_names_contain(q)))
    return paginate(
        query.options(selectinload(Document.versions), selectinload(Document.owning_unit)).order_by(
            Document.kind, Document.code
        ),
        page=page,
        per_page=per_page,
    )


def _names_contain(q):
    """Code or title containing `q` as typed (case aside): % and _ are letters here, not wildcards."""
    needle = q.strip().lower()
    return (
        func.lower(Document.code).contains(needle, autoescape=True),
        func.lower(Document.title).contains(needle, autoescape=True),
    )


def find_document(user, code):
    """A document of the user's commune by code, or None (visibility is checked by the caller)."""
    return db.session.scalar(select(Document).where(Document.commune_id == user.commune_id, Document.code == code))


# --- current forms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentFile:
    """One effective procedure or form, as listed on the current-forms page."""

    document_id: int
    code: str
    title: str
    kind: str
    field: str
    parent_id: int | None
    parent_code: str
    parent_title: str
    version_id: int
    issue_no: int
    effective_date: dt.date | None
    filename: str
    file_kind: str
    size: int


@dataclass
class ProcedureGroup:
    code: str
    title: str
    field_name: str = ""
    procedure: CurrentFile | None = None
    forms: list = field(default_factory=list)


@dataclass
class FieldGroup:
    name: str
    procedures: list = field(default_factory=list)


def current_files(commune_id, q=None, user=None):
    """Every effective procedure and form of active documents, with its primary file, in one query."""
    parent = aliased(Document)
    query = (
        select(
            Document.id,
            Document.code,
            Document.title,
            Document.kind,
            Document.field,
            Document.parent_id,
            func.coalesce(parent.code, ""),
            func.coalesce(parent.title, ""),
            func.coalesce(parent.field, ""),
            DocumentVersion.id,
            DocumentVersion.issue_no,
            DocumentVersion.effective_date,
            VersionFile.filename,
            VersionFile.kind,
            VersionFile.size,
        )
        .join(
            DocumentVersion,
            and_(DocumentVersion.document_id == Document.id, DocumentVersion.status == VersionStatus.effective),
        )
        .join(VersionFile, and_(VersionFile.version_id == DocumentVersion.id, VersionFile.is_primary))
        .outerjoin(parent, parent.id == Document.parent_id)
        .where(
            Document.commune_id == commune_id,
            Document.status == DocumentStatus.active,
            Document.kind.in_([DocumentKind.procedure, DocumentKind.form]),
        )
        .order_by(Document.code)
    )
    if q and q.strip():
        ids = search_version_ids(
            commune_id,
            q,
            statuses=[VersionStatus.effective],
            kinds=[DocumentKind.procedure, DocumentKind.form],
            limit=5000,
        )
        query = query.where(or_(DocumentVersion.id.in_(ids) if ids else False, *_names_contain(q)))
    rows = []
    for (
        doc_id,
        code,
        title,
        kind,
        own_field,
        parent_id,
        parent_code,
        parent_title,
        parent_field,
        version_id,
        issue_no,
        effective_date,
        filename,
        file_kind,
        size,
    ) in db.session.execute(query):
        rows.append(
            CurrentFile(
                doc_id,
                code,
                title,
                kind.value,
                own_field or parent_field,
                parent_id,
                parent_code,
                parent_title,
                version_id,
                issue_no,
                effective_date,
                filename,
                file_kind,
                size,
            )
        )
    return rows


def group_current_files(rows, no_field_label=""):
    """Rows -> fields (lĩnh vực) -> procedures -> forms, sorted by name and code. A pure function, so
    the page can be rendered (and measured) from a prepared list without the database."""
    procedures = {}
    for row in rows:
        if row.kind == DocumentKind.procedure.value:
            group = procedures.setdefault(row.document_id, ProcedureGroup(row.code, row.title))
            group.procedure, group.code, group.title, group.field_name = row, row.code, row.title, row.field
        else:
            key = row.parent_id or f"form-{row.document_id}"
            group = procedures.setdefault(key, ProcedureGroup(row.parent_code, row.parent_title))
            group.forms.append(row)
            group.field_name = group.field_name or row.field
    fields = {}
    for group in procedures.values():
        group.forms.sort(key=lambda r: r.code)
        name = group.field_name or no_field_label
        fields.setdefault(name, FieldGroup(name)).procedures.append(group)
    result = sorted(fields.values(), key=lambda f: (f.name == no_field_label, f.name))
    for item in result:
        item.procedures.sort(key=lambda g: g.code)
    return result


# --- queues and lists ----------------------------------------------------------------------------


def versions_in_review(commune_id):
    return list(
        db.session.scalars(
            select(DocumentVersion)
            .join(Document)
            .where(
                DocumentVersion.commune_id == commune_id,
                DocumentVersion.status == VersionStatus.in_review,
                Document.status == DocumentStatus.active,
            )
            .order_by(DocumentVersion.submitted_at)
        )
    )


def drafts_of(user):
    return list(
        db.session.scalars(
            select(DocumentVersion)
            .join(Document)
            .where(
                DocumentVersion.author_id == user.id,
                DocumentVersion.status == VersionStatus.draft,
                Document.status == DocumentStatus.active,
            )
            .order_by(DocumentVersion.created_at)
        )
    )


def open_change_requests(commune_id):
    return list(
        db.session.scalars(
            select(ChangeRequest)
            .join(Document, Document.id == ChangeRequest.document_id)
            .where(
                ChangeRequest.commune_id == commune_id,
                ChangeRequest.status == ChangeRequestStatus.open,
                Document.status == DocumentStatus.active,
            )
            .order_by(ChangeRequest.requested_at)
        )
    )


def change_requests_for(user, *, status=None):
    """Every change request (for those who see the history) or the user's own."""
    query = select(ChangeRequest).where(ChangeRequest.commune_id == user.commune_id)
    if not perm.sees_history(user):
        query = query.where(ChangeRequest.requested_by_id == user.id)
    if status:
        query = query.where(ChangeRequest.status == ChangeRequestStatus(status))
    return list(db.session.scalars(query.order_by(ChangeRequest.requested_at.desc())))


REVIEW_DUE_WITHIN_DAYS = 30  # a periodic review this close is "due" (the list, the version page)


def review_due_soon(version, today):
    """Whether the periodic review of `version` is due within REVIEW_DUE_WITHIN_DAYS days, overdue,
    or has no date."""
    return version.next_review_on is None or (version.next_review_on - today).days <= REVIEW_DUE_WITHIN_DAYS


def due_for_review(commune_id, today, within_days=REVIEW_DUE_WITHIN_DAYS):
    """Effective versions whose periodic review is due within `within_days` days, or overdue."""
    limit = today + dt.timedelta(days=within_days)
    return list(
        db.session.scalars(
            select(DocumentVersion)
            .join(Document)
            .where(
                DocumentVersion.commune_id == commune_id,
                DocumentVersion.status == VersionStatus.effective,
                Document.status == DocumentStatus.active,
                DocumentVersion.next_review_on <= limit,
            )
            .order_by(DocumentVersion.next_review_on, Document.code)
        )
    )


def open_acknowledgments(user):
    """The user's "read and understood" tasks for versions still in force."""
    return list(
        db.session.scalars(
            select(Acknowledgment)
            .join(DocumentVersion)
            .join(Document)
            .where(
                Acknowledgment.user_id == user.id,
                Acknowledgment.acknowledged_at.is_(None),
                DocumentVersion.status == VersionStatus.effective,
                Document.status == DocumentStatus.active,
            )
            .order_by(Acknowledgment.assigned_at)
        )
    )


def acknowledgment_state(version):
    """(acknowledged, not yet) lists of (user, acknowledgment) for a version, by name."""
    rows = db.session.execute(
        select(Acknowledgment, User)
        .join(User, User.id == Acknowledgment.user_id)
        .where(Acknowledgment.version_id == version.id)
    ).all()
    rows.sort(key=lambda row: name_sort_key(row[1].full_name))
    done = [(u, a) for a, u in rows if a.acknowledged_at is not None]
    waiting = [(u, a) for a, u in rows if a.acknowledged_at is None]
    return done, waiting


def own_acknowledgment(user, version):
    return db.session.scalar(
        select(Acknowledgment).where(Acknowledgment.version_id == version.id, Acknowledgment.user_id == user.id)
    )


def change_requests_of(document):
    return list(
        db.session.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.document_id == document.id)
            .order_by(ChangeRequest.requested_at.desc())
        )
    )


def external_documents(commune_id):
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.commune_id == commune_id, Document.kind == DocumentKind.external)
            .order_by(Document.code)
        )
    )


def active_people(commune_id):
    """The commune's active accounts, by name (to choose a document's owner)."""
    return by_name(db.session.scalars(select(User).where(User.commune_id == commune_id, User.is_active_account)))


def procedures(commune_id):
    """The commune's procedures, by code (a form or instruction belongs to one)."""
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.commune_id == commune_id, Document.kind == DocumentKind.procedure)
            .order_by(Document.code)
        )
    )
