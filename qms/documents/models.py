"""Document control (ISO 9001 7.5): documents, their versions and files, signatures, change
requests, distribution and acknowledgments, and the search index."""

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.auth.models import Role, Unit, User
from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db, enum_column
from qms.signatures.models import Signature, signatures_on


class DocumentKind(enum.Enum):
    policy = "policy"  # quality policy and objectives
    procedure = "procedure"  # QT
    instruction = "instruction"  # HD
    form = "form"  # BM, belongs to a procedure
    internal = "internal"  # other internal documents
    external = "external"  # laws, decrees, decisions


class DocumentStatus(enum.Enum):
    active = "active"
    obsolete = "obsolete"  # withdrawn with a reason


class Access(enum.Enum):
    internal = "internal"
    public = "public"


class LegalStatus(enum.Enum):
    in_force = "in_force"
    amended = "amended"
    replaced = "replaced"
    repealed = "repealed"


class VersionStatus(enum.Enum):
    draft = "draft"
    in_review = "in_review"
    approved = "approved"  # waiting for its effective date
    effective = "effective"
    superseded = "superseded"
    obsolete = "obsolete"  # withdrawn


class SignatureMeaning(enum.StrEnum):
    """What a signature on a version means (stored by value in qms.signatures)."""

    reviewed = "reviewed"
    approved = "approved"
    returned = "returned"
    withdrawn = "withdrawn"
    confirmed = "confirmed"  # periodic review: "reviewed, still valid"


class ChangeRequestStatus(enum.Enum):
    open = "open"
    accepted = "accepted"
    declined = "declined"


document_legal_bases = Table(
    "document_legal_bases",
    db.Model.metadata,
    Column("document_id", ForeignKey("documents.id"), primary_key=True),
    Column("external_document_id", ForeignKey("documents.id"), primary_key=True),
)


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("commune_id", "code"), Index("ix_documents_commune_kind", "commune_id", "kind"))
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    field: Mapped[str] = mapped_column(String(120), default="")  # lĩnh vực: hộ tịch, chứng thực, ...
    owning_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    review_interval_months: Mapped[int] = mapped_column(default=12)
    retention_years: Mapped[int | None] = mapped_column()  # None: kept permanently
    access: Mapped[Access] = mapped_column(enum_column(Access), default=Access.internal)
    status: Mapped[DocumentStatus] = mapped_column(enum_column(DocumentStatus), default=DocumentStatus.active)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # documents of external origin
    issuer: Mapped[str] = mapped_column(String(300), default="")
    number: Mapped[str] = mapped_column(String(100), default="")
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    effective_on: Mapped[dt.date | None] = mapped_column(Date)
    legal_status: Mapped[LegalStatus | None] = mapped_column(enum_column(LegalStatus))

    owning_unit: Mapped[Unit | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    parent: Mapped[Optional["Document"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Document"]] = relationship(back_populates="parent", order_by="Document.code")
    legal_bases: Mapped[list["Document"]] = relationship(
        secondary=document_legal_bases,
        primaryjoin=id == document_legal_bases.c.document_id,
        secondaryjoin=id == document_legal_bases.c.external_document_id,
        order_by="Document.code",
        back_populates="based_on_this",
    )
    based_on_this: Mapped[list["Document"]] = relationship(
        secondary=document_legal_bases,
        primaryjoin=id == document_legal_bases.c.external_document_id,
        secondaryjoin=id == document_legal_bases.c.document_id,
        order_by="Document.code",
        back_populates="legal_bases",
        viewonly=True,
    )
    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="document", order_by="DocumentVersion.issue_no"
    )
    distributions: Mapped[list["Distribution"]] = relationship(back_populates="document", cascade="all, delete-orphan")


def issue_label(issue_no):
    """How an issue number is written: 02."""
    return f"{issue_no:02d}"


class DocumentVersion(db.Model):
    """One issue ("lần ban hành") of a document."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "issue_no"),
        # Exactly one effective version per document, enforced by the database too.
        Index(
            "uq_document_versions_one_effective",
            "document_id",
            unique=True,
            sqlite_where=text("status = 'effective'"),
            postgresql_where=text("status = 'effective'"),
        ),
        Index("ix_document_versions_commune_status", "commune_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    issue_no: Mapped[int] = mapped_column()
    status: Mapped[VersionStatus] = mapped_column(enum_column(VersionStatus), default=VersionStatus.draft)
    change_summary: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    effective_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_review_on: Mapped[dt.date | None] = mapped_column(Date)
    returned_comment: Mapped[str] = mapped_column(Text, default="")
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"))
    # issued before qms, brought in by an import (DocumentImport): the list's row, the issue date
    # and the people who drafted, reviewed and approved it, as the list names them (no signature of
    # theirs is invented; the import's own signature declares the versions as issued)
    imported_id: Mapped[int | None] = mapped_column(ForeignKey("document_imports.id"), index=True)
    imported_row: Mapped[int | None] = mapped_column()
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    drafted_by_name: Mapped[str] = mapped_column(String(200), default="")
    reviewed_by_name: Mapped[str] = mapped_column(String(200), default="")
    approved_by_name: Mapped[str] = mapped_column(String(200), default="")
    row_version: Mapped[int] = mapped_column(default=1)  # optimistic lock: concurrent writers conflict

    __mapper_args__ = {"version_id_col": row_version}

    document: Mapped[Document] = relationship(back_populates="versions")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    imported: Mapped[Optional["DocumentImport"]] = relationship(foreign_keys=[imported_id])
    files: Mapped[list["VersionFile"]] = relationship(
        back_populates="version", order_by="VersionFile.id", cascade="all, delete-orphan"
    )
    signatures: Mapped[list[Signature]] = signatures_on("DocumentVersion", "document_versions")

    @property
    def issue_label(self):
        return issue_label(self.issue_no)

    @property
    def primary_file(self):
        return next((f for f in self.files if f.is_primary), self.files[0] if self.files else None)


class ImportStatus(enum.Enum):
    checking = "checking"  # the dry run is being made
    checked = "checked"  # the dry run is ready: waiting for the quality officer's signed confirmation
    importing = "importing"
    done = "done"
    failed = "failed"  # stopped: `error` says why (the rows imported before stay, each whole)


class DocumentImport(db.Model):
    """One import of a commune's existing document system (qms.documents.imports): the master list
    and the files it came with (kept in the store, by SHA-256), who started it and when, its dry
    run and then its outcome (`report`: every row's plan and problems, the files no row names),
    its progress while it runs (the page polls it), and the digest of everything it imported, which
    the quality officer's signature ("declared as issued") seals."""

    __tablename__ = "document_imports"
    __table_args__ = (Index("ix_document_imports_commune_started", "commune_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    list_name: Mapped[str] = mapped_column(String(200))
    list_sha256: Mapped[str] = mapped_column(String(64))
    files_name: Mapped[str] = mapped_column(String(200), default="")
    files_sha256: Mapped[str | None] = mapped_column(String(64))  # the .zip, when the files came as one
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus), default=ImportStatus.checking)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    created: Mapped[int] = mapped_column(default=0)  # new documents
    new_versions: Mapped[int] = mapped_column(default=0)  # a higher issue of a document already here
    unchanged: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    digest: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")

    started_by: Mapped[User] = relationship()
    versions: Mapped[list["DocumentVersion"]] = relationship(
        foreign_keys="DocumentVersion.imported_id", viewonly=True, order_by="DocumentVersion.imported_row"
    )
    signatures: Mapped[list[Signature]] = signatures_on("DocumentImport", "document_imports")

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.checking, ImportStatus.importing)


class VersionFile(db.Model):
    __tablename__ = "version_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # docx / xlsx / pdf
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    is_primary: Mapped[bool] = mapped_column(default=True)
    text_content: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[DocumentVersion] = relationship(back_populates="files")


class ChangeRequest(db.Model):
    __tablename__ = "change_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    what: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text)
    status: Mapped[ChangeRequestStatus] = mapped_column(
        enum_column(ChangeRequestStatus), default=ChangeRequestStatus.open
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    draft_version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"))

    document: Mapped[Document] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    draft_version: Mapped[DocumentVersion | None] = relationship(foreign_keys=[draft_version_id])


class Distribution(db.Model):
    """Who a document is distributed to: users of a unit, holders of a role, or both together."""

    __tablename__ = "distributions"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id"))

    document: Mapped[Document] = relationship(back_populates="distributions")
    unit: Mapped[Unit | None] = relationship()
    role: Mapped[Role | None] = relationship()


class Acknowledgment(db.Model):
    """A "read and understood" task for one user and one effective version."""

    __tablename__ = "acknowledgments"
    __table_args__ = (
        UniqueConstraint("version_id", "user_id"),
        Index("ix_acknowledgments_user_open", "user_id", "acknowledged_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[DocumentVersion] = relationship()
    user: Mapped[User] = relationship()


class SearchEntry(db.Model):
    """Text of one version, folded (lower case, no diacritics, đ -> d) for search on SQLite (FTS5
    table search_entries_fts, kept in sync by triggers) and PostgreSQL (GIN index on tsvector)."""

    __tablename__ = "search_entries"
    __table_args__ = (Index("ix_search_entries_commune", "commune_id"),)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), primary_key=True, autoincrement=False)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    folded: Mapped[str] = mapped_column(Text, default="")
