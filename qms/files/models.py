"""The stored-file record: one row per distinct content, addressed by its SHA-256."""

import datetime as dt

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db


class StoredFile(db.Model):
    """A file's bytes, kept unchanged under the storage folder and addressed by their SHA-256."""

    __tablename__ = "stored_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # when a reader found the bytes missing or no longer matching their SHA-256 (None: intact)
    damaged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
