"""Read-side queries of document control: lists, queues and the current-forms page.

Each query filters by what the user may see with the same rule as permissions.py (staff: active
documents and effective versions only), in SQL, so that lists and counts never leak a draft.
"""

import datetime as dt
import functools
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from qms.auth.models import Unit, User
from qms.core.lists import Page, paginate
from qms.core.names import by_name, name_sort_key, word_sort_key
from qms.db import db
from qms.documents import permissions as perm
from qms.documents.models import (
    Access,
    Acknowledgment,
    ChangeRequest,
    ChangeRequestStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    VersionFile,
    VersionStatus,
    issue_label,
)
from qms.documents.search import search_version_ids
from qms.documents.services.common import current_version, pending_version

STATUS_FILTERS = ("active", "obsolete", "draft", "in_review", "approved", "effective")
PER_PAGE = 50


def _has_effective(document=Document):
    return exists().where(DocumentVersion.document_id == document.id, DocumentVersion.status == VersionStatus.effective)


def _visible(sees_history, document=Document):
    """The rule of permissions.can_view_document as SQL conditions on `document` (a Document or an
    alias of it), for a reader of the commune bound as "commune_id" who sees the history or not."""
    conditions = [document.commune_id == bindparam("commune_id")]
    if not sees_history:
        conditions += [
            document.status == DocumentStatus.active,
            or_(document.kind == DocumentKind.external, _has_effective(document)),
        ]
    return conditions


def visible_statuses(user):
    """Version statuses the user may see."""
    return list(VersionStatus) if perm.sees_history(user) else [VersionStatus.effective]


def _matching_document_ids(user, q, kinds=None):
    version_ids = search_version_ids(user.commune_id, q, statuses=visible_statuses(user), kinds=kinds, limit=2000)
    if not version_ids:
        return set()
    return set(db.session.scalars(select(DocumentVersion.document_id).where(DocumentVersion.id.in_(version_ids))))


@dataclass(frozen=True)
class ListedUnit:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ListedIssue:
    """A document's version in force, as a list shows it."""

    id: int
    issue_no: int
    status: VersionStatus
    effective_date: dt.date | None
    next_review_on: dt.date | None
    imported_id: int | None

    @property
    def issue_label(self):
        return issue_label(self.issue_no)


@dataclass(frozen=True)
class ListedDocument:
    """One row of the documents list (the page and the API): the document, its unit, its version in
    force, the status of its version in progress (None for those who may not see it) and the
    procedure it belongs to (None when the user may not see that one)."""

    id: int
    code: str
    title: str
    kind: DocumentKind
    status: DocumentStatus
    field: str
    access: Access
    owning_unit: ListedUnit | None
    current: ListedIssue | None
    pending_status: VersionStatus | None
    parent: "ListedParent | None"
    # permissions.can_download of the version in force (an effective version always has its file:
    # submitting needs one)
    can_download: bool

    @classmethod
    def of(cls, user, document):
        """The row of a document already loaded, by the rules of permissions.py."""
        current, pending = current_version(document), pending_version(document)
        unit, parent = document.owning_unit, document.parent
        return cls(
            id=document.id,
            code=document.code,
            title=document.title,
            kind=document.kind,
            status=document.status,
            field=document.field or "",
            access=document.access,
            owning_unit=ListedUnit(unit.id, unit.code, unit.name) if unit else None,
            current=ListedIssue(
                current.id,
                current.issue_no,
                current.status,
                current.effective_date,
                current.next_review_on,
                current.imported_id,
            )
            if current
            else None,
            pending_status=pending.status if pending and perm.sees_history(user) else None,
            parent=ListedParent(parent.code, parent.title, parent.kind)
            if parent is not None and perm.can_view_document(user, parent)
            else None,
            can_download=current is not None and perm.can_view_version(user, current),
        )


@dataclass(frozen=True)
class ListedParent:
    code: str
    title: str
    kind: DocumentKind


def list_documents(user, *, kind=None, status=None, unit_id=None, q=None, page=1, per_page=PER_PAGE) -> Page:
    """One page of the documents the user may see, filtered, as ListedDocument rows read in one
    statement, count included.

    status: a document status (active, obsolete) or a version status (the documents having a version
    in it). q: code, title or text (search.py), insensitive to case and diacritics."""
    sees_history = perm.sees_history(user)
    params = {"commune_id": user.commune_id, "kind": kind, "unit_id": unit_id}
    if status in ("active", "obsolete"):
        params["status"] = DocumentStatus(status)
    elif status in STATUS_FILTERS:
        params["status"] = VersionStatus(status)
        if params["status"] not in visible_statuses(user):
            return Page(items=[], per_page=per_page, number=page, total=0)
    stmt = _listed_query(sees_history, bool(kind), type(params.get("status")), bool(unit_id))
    if q and q.strip():  # a search: its documents are known only now
        ids = _matching_document_ids(user, q)
        stmt = stmt.where(or_(Document.id.in_(ids) if ids else False, *_names_contain(q)))
    found = paginate(stmt, page=page, per_page=per_page, scalars=False, short=True, params=params)
    found.items = [_listed(row, sees_history) for row in found.items]
    return found


@functools.cache
def _listed_query(sees_history, by_kind, status_type, by_unit):
    """The documents list's statement for one combination of filters, their values bound
    (commune_id, kind, status, unit_id): built once per process, not for every page."""
    conditions = _visible(sees_history)
    if by_kind:
        conditions.append(Document.kind == bindparam("kind", type_=Document.kind.type))
    if status_type is DocumentStatus:
        conditions.append(Document.status == bindparam("status", type_=Document.status.type))
    elif status_type is VersionStatus:
        wanted = bindparam("status", type_=DocumentVersion.status.type)
        conditions.append(exists().where(DocumentVersion.document_id == Document.id, DocumentVersion.status == wanted))
    if by_unit:
        conditions.append(Document.owning_unit_id == bindparam("unit_id"))
    current, parent = aliased(DocumentVersion, name="current_version"), aliased(Document, name="parent_document")
    if sees_history:
        pending = (
            select(DocumentVersion.status)
            .where(DocumentVersion.document_id == Document.id, DocumentVersion.status.in_(perm.PENDING))
            .order_by(DocumentVersion.issue_no)
            .limit(1)
            .scalar_subquery()
        )
    else:
        pending = literal(None)
    return (
        select(
            Document.id,
            Document.code,
            Document.title,
            Document.kind,
            Document.status,
            Document.field,
            Document.access,
            Unit.id,
            Unit.code,
            Unit.name,
            current.id,
            current.issue_no,
            current.effective_date,
            current.next_review_on,
            current.imported_id,
            pending,
            parent.code,
            parent.title,
            parent.kind,
        )
        .select_from(Document)
        .outerjoin(Unit, Unit.id == Document.owning_unit_id)
        .outerjoin(current, and_(current.document_id == Document.id, current.status == VersionStatus.effective))
        .outerjoin(parent, and_(parent.id == Document.parent_id, *_visible(sees_history, parent)))
        .where(*conditions)
        .order_by(Document.kind, Document.code)
    )


def _listed(row, sees_history):
    (id_, code, title, kind, status, field_, access, unit_id, unit_code, unit_name) = row[:10]
    (version_id, issue_no, effective_date, next_review_on, imported_id, pending) = row[10:16]
    parent_code, parent_title, parent_kind = row[16:]
    return ListedDocument(
        id=id_,
        code=code,
        title=title,
        kind=kind,
        status=status,
        field=field_ or "",
        access=access,
        owning_unit=ListedUnit(unit_id, unit_code, unit_name) if unit_id is not None else None,
        current=ListedIssue(version_id, issue_no, VersionStatus.effective, effective_date, next_review_on, imported_id)
        if version_id is not None
        else None,
        pending_status=VersionStatus(pending) if pending is not None else None,
        parent=ListedParent(parent_code, parent_title, parent_kind) if parent_code is not None else None,
        can_download=version_id is not None and (sees_history or status is DocumentStatus.active),
    )


def _names_contain(q):
    """Code or title containing `q` as typed (case aside): % and _ are letters here, not wildcards."""
    needle = q.strip().lower()
    return (
        func.lower(Document.code).contains(needle, autoescape=True),
        func.lower(Document.title).contains(needle, autoescape=True),
    )


# --- current forms -------------------------------------------------------------------------------
#
# The page opens on an index (fields, and under each its procedures with counts) and shows the
# files of one field, one procedure or one search at a time, a page at a time: with a thousand forms
# no page holds more than FILES_PER_PAGE files or the index. Files are grouped under their procedure
# (a form under its parent document, a procedure under itself, a form without a parent alone); the
# group's field is its procedure's, or the form's own when the procedure has none.

FILES_PER_PAGE = 50
# Beyond this many procedures the index names the fields only; each field's page then lists its
# procedures above its files, so that every form stays two clicks from the index.
INDEX_LIMIT = 400


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
    imported: bool = False  # issued before qms, brought in by an import of the document system

    @property
    def group_id(self):
        """The index entry the file belongs to: its procedure (itself, or its parent document), or a
        form without a parent alone."""
        if self.kind == DocumentKind.procedure.value:
            return self.document_id
        return self.parent_id or self.document_id


@dataclass
class ProcedureGroup:
    code: str
    title: str
    field_name: str = ""
    procedure: CurrentFile | None = None
    forms: list = field(default_factory=list)
    id: int | None = None  # the index entry (IndexGroup.id); None for forms without a procedure


@dataclass
class FieldGroup:
    name: str
    procedures: list = field(default_factory=list)


@dataclass
class IndexGroup:
    """One entry of the index: a procedure (in force or not) with its forms in force, or a form in force
    without a procedure."""

    id: int
    code: str
    title: str
    files: int  # in force: the procedure itself (when it is) and its forms
    forms: int
    has_procedure: bool  # the procedure itself is in force
    is_form: bool = False  # a form without a procedure


@dataclass
class IndexField:
    name: str  # as stored ("" for documents without a field)
    label: str  # as shown ("Other" for those)
    groups: list = field(default_factory=list)

    @property
    def files(self):
        return sum(g.files for g in self.groups)

    @property
    def forms(self):
        return sum(g.forms for g in self.groups)

    @property
    def procedures(self):
        return sum(1 for g in self.groups if not g.is_form)


def field_sort_key(name, no_field_label=""):
    """Fields in the order of the Vietnamese alphabet (Đất đai after Chứng thực), the unnamed last."""
    return (not name or name == no_field_label, tuple(word_sort_key(w) for w in name.split()), name)


def _current_columns():
    """The parent alias and the per-row expressions of the group a file belongs to and its field."""
    parent = aliased(Document)
    is_procedure = Document.kind == DocumentKind.procedure
    group_id = case((is_procedure, Document.id), else_=func.coalesce(Document.parent_id, Document.id))
    field_name = case(
        (is_procedure, Document.field), else_=func.coalesce(func.nullif(parent.field, ""), Document.field, "")
    )
    return parent, group_id, field_name


def _in_force(query, parent, commune_id, *, files=True):
    """`query` over the effective versions of the commune's active procedures and forms, with their
    parent document; files: with the version's primary file (the listing needs it; the counts do not:
    every version is created with its primary file, and the join costs a sixth of the index's time)."""
    query = query.select_from(Document).join(
        DocumentVersion,
        and_(DocumentVersion.document_id == Document.id, DocumentVersion.status == VersionStatus.effective),
    )
    if files:
        query = query.join(VersionFile, and_(VersionFile.version_id == DocumentVersion.id, VersionFile.is_primary))
    return query.outerjoin(parent, parent.id == Document.parent_id).where(
        Document.commune_id == commune_id,
        Document.status == DocumentStatus.active,
        Document.kind.in_([DocumentKind.procedure, DocumentKind.form]),
    )


def current_index(commune_id, no_field_label=""):
    """The index of the page: every field with its procedures and forms in force, counted in one
    aggregate query (a row per procedure, not per file). Fields in Vietnamese order, the unnamed
    last as `no_field_label`; procedures by code, forms without a procedure after them."""
    parent, group_id, field_name = _current_columns()
    is_procedure = Document.kind == DocumentKind.procedure
    group_code = case((is_procedure, Document.code), else_=func.coalesce(parent.code, Document.code))
    group_title = case((is_procedure, Document.title), else_=func.coalesce(parent.title, Document.title))
    query = _in_force(
        select(
            field_name,
            group_id,
            func.min(group_code),
            func.min(group_title),
            func.count(),
            func.sum(case((is_procedure, 1), else_=0)),
            func.max(case((and_(~is_procedure, Document.parent_id.is_(None)), 1), else_=0)),
        ),
        parent,
        commune_id,
        files=False,
    ).group_by(field_name, group_id)
    fields = {}
    for name, gid, code, title, files, procedures, alone in db.session.execute(query):
        entry = fields.setdefault(name or "", IndexField(name or "", name or no_field_label))
        entry.groups.append(IndexGroup(gid, code, title, files, files - procedures, bool(procedures), bool(alone)))
    result = sorted(fields.values(), key=lambda f: field_sort_key(f.name))
    for entry in result:
        entry.groups.sort(key=lambda g: (g.is_form, g.code))
    return result


def group_entry(rows, no_field_label=""):
    """The field and the index entry of one group's rows (current_files(group_ids=[id])), for the
    page of one procedure, which needs no index. Pure."""
    procedure = next((r for r in rows if r.kind == DocumentKind.procedure.value), None)
    first = procedure or rows[0]
    alone = procedure is None and not first.parent_id
    code, title = (first.code, first.title) if procedure or alone else (first.parent_code, first.parent_title)
    forms = sum(1 for r in rows if r.kind != DocumentKind.procedure.value)
    group = IndexGroup(first.group_id, code, title, len(rows), forms, procedure is not None, alone)
    return IndexField(first.field, first.field or no_field_label, [group]), group


def field_pages(index_field, per_page=None):
    """The pages of one field: lists of group ids in index order, each page filled up to `per_page`
    files without cutting a procedure in two (a procedure with more forms than that has a page of its
    own). Pure: computed from the index."""
    per_page = per_page or FILES_PER_PAGE
    pages, current, count = [], [], 0
    for group in index_field.groups:
        if current and count + group.files > per_page:
            pages.append(current)
            current, count = [], 0
        current.append(group.id)
        count += group.files
    if current:
        pages.append(current)
    return pages


def _current_query(commune_id):
    parent, group_id, field_name = _current_columns()
    query = _in_force(
        select(
            Document.id,
            Document.code,
            Document.title,
            Document.kind,
            field_name,
            Document.parent_id,
            func.coalesce(parent.code, ""),
            func.coalesce(parent.title, ""),
            DocumentVersion.id,
            DocumentVersion.issue_no,
            DocumentVersion.effective_date,
            VersionFile.filename,
            VersionFile.kind,
            VersionFile.size,
            DocumentVersion.imported_id.is_not(None),
        ),
        parent,
        commune_id,
    )
    return query, parent, group_id, field_name


def _current_file(row):
    values = list(row)
    values[3] = values[3].value
    values[4] = values[4] or ""
    return CurrentFile(*values)


def _search_filter(query, commune_id, q):
    ids = search_version_ids(
        commune_id,
        q,
        statuses=[VersionStatus.effective],
        kinds=[DocumentKind.procedure, DocumentKind.form],
        limit=5000,
    )
    return query.where(or_(DocumentVersion.id.in_(ids) if ids else False, *_names_contain(q)))


def current_files(commune_id, q=None, group_ids=None):
    """The effective procedures and forms of active documents with their primary file, in one query,
    by code: every one, those matching `q` (code, title or text, as the documents list searches), or
    those of the index entries `group_ids` (IndexGroup.id)."""
    query, _parent, group_id, _field = _current_query(commune_id)
    if group_ids is not None:
        # the commune's procedures and forms are read by their index, only the group's are fetched
        query = query.where(group_id.in_(list(group_ids)))
    if q and q.strip():
        query = _search_filter(query, commune_id, q)
    return [_current_file(row) for row in db.session.execute(query.order_by(Document.code))]


def current_field_names(commune_id):
    """The fields that have files in force, in the index's order (a lighter query than current_index)."""
    parent, _group_id, field_name = _current_columns()
    names = db.session.scalars(_in_force(select(field_name).distinct(), parent, commune_id, files=False))
    return sorted((name or "" for name in names), key=field_sort_key)


def search_current_files(commune_id, q, *, page=1, per_page=None) -> Page:
    """One page of the files matching `q`, in the order the page groups them: by field (in the
    index's order), procedure, the procedure before its forms, code."""
    query, parent, group_id, field_name = _current_query(commune_id)
    query = _search_filter(query, commune_id, q)
    ranks = {name: n for n, name in enumerate(current_field_names(commune_id))}
    field_rank = case(ranks, value=field_name, else_=len(ranks)) if ranks else literal(0)
    is_procedure = Document.kind == DocumentKind.procedure
    alone = case((and_(~is_procedure, Document.parent_id.is_(None)), 1), else_=0)
    group_code = case((is_procedure, Document.code), else_=func.coalesce(parent.code, Document.code))
    query = query.order_by(field_rank, alone, group_code, group_id, case((is_procedure, 0), else_=1), Document.code)
    result = paginate(query, page=page, per_page=per_page or FILES_PER_PAGE, scalars=False)
    result.items = [_current_file(row) for row in result.items]
    return result


def group_current_files(rows, no_field_label=""):
    """Rows -> fields (lĩnh vực) -> procedures -> forms, sorted as the index is. Forms without a
    procedure share one group per field, after the procedures. A pure function, so the page can be
    rendered (and measured) from a prepared list without the database."""
    procedures = {}
    for row in rows:
        if row.kind == DocumentKind.procedure.value:
            group = procedures.setdefault(row.document_id, ProcedureGroup(row.code, row.title, id=row.document_id))
            group.procedure, group.code, group.title, group.field_name = row, row.code, row.title, row.field
        elif row.parent_id:
            group = procedures.setdefault(
                row.parent_id, ProcedureGroup(row.parent_code, row.parent_title, id=row.parent_id)
            )
            group.forms.append(row)
            group.field_name = group.field_name or row.field
        else:
            group = procedures.setdefault(("alone", row.field), ProcedureGroup("", "", field_name=row.field))
            group.forms.append(row)
    fields = {}
    for group in procedures.values():
        group.forms.sort(key=lambda r: r.code)
        name = group.field_name or no_field_label
        fields.setdefault(name, FieldGroup(name)).procedures.append(group)
    result = sorted(fields.values(), key=lambda f: field_sort_key(f.name, no_field_label))
    for item in result:
        item.procedures.sort(key=lambda g: (g.id is None, g.code))
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
