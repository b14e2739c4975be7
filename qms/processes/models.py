"""Procedures (thủ tục hành chính, TTHC) and the internal processes drawn for them.

A procedure is known by its national code; what it is (name, field, statutory limit, fee, online
level, requirements, legal bases, forms, steps) is what its process map says. Each import of a
changed map is kept as a ProcessMapVersion tied to a version of the procedure's process document
(a QT in document control): the map in force is the one of the QT's effective version, so a
process changes only through the review and approval of its document. A dossier keeps the map
version it was received under.
"""

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db
from qms.processes.maps import ProcessMap


class Procedure(db.Model):
    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("commune_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    code: Mapped[str] = mapped_column(String(30))  # the national code (1.001193)
    process_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)  # its QT
    map_file: Mapped[str] = mapped_column(String(200))  # the file in process_maps/ it comes from
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    maps: Mapped[list["ProcessMapVersion"]] = relationship(
        back_populates="procedure", order_by="ProcessMapVersion.id", cascade="all, delete-orphan"
    )


class ProcessMapVersion(db.Model):
    """A process map as it was imported, tied to the version of the process document it belongs
    to (the effective one for a procedure's first map; a new draft for a changed one)."""

    __tablename__ = "process_maps"
    __table_args__ = (Index("ix_process_maps_procedure_version", "procedure_id", "document_version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical content
    content: Mapped[dict] = mapped_column(JSON)  # ProcessMap.content()
    source_text: Mapped[str] = mapped_column(Text)  # the YAML as it was imported
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    procedure: Mapped[Procedure] = relationship(back_populates="maps")

    @property
    def process(self) -> ProcessMap:
        return ProcessMap.from_content(self.content, source=self.procedure.map_file)
