"""Communes, units, roles, users and what authenticates them (sessions, API tokens, sign-in attempts)."""

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db

# Stable codes of the built-in roles; their names are data (roles.name_vi / roles.name_en).
ADMINISTRATOR = "administrator"
QUALITY_OFFICER = "quality_officer"
LEADER = "leader"
STAFF = "staff"
AUDITOR = "auditor"
# The installation's own administrator: adds communes (each with its administrator); sees nothing
# inside any commune through this role.
INSTALLATION_ADMIN = "installation_admin"
ALL_ROLES = (ADMINISTRATOR, QUALITY_OFFICER, LEADER, STAFF, AUDITOR, INSTALLATION_ADMIN)
# Roles that read and never change a record (an internal or external auditor).
READ_ONLY_ROLES = frozenset({AUDITOR})


class Commune(db.Model):
    """An organisation hosted by the installation; every record belongs to one."""

    __tablename__ = "communes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def setting(self, key, default=None):
        return (self.settings or {}).get(key, default)


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("commune_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    is_one_stop: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    commune: Mapped[Commune] = relationship()


class Role(db.Model):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    def name(self, locale):
        return self.name_en if locale == "en" else self.name_vi


user_roles = Table(
    "user_roles",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("role_id", ForeignKey("roles.id"), primary_key=True),
)

user_units = Table(
    "user_units",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    is_active_account: Mapped[bool] = mapped_column("is_active", default=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    commune: Mapped[Commune] = relationship()
    roles: Mapped[list[Role]] = relationship(secondary=user_roles, order_by=Role.id)
    units: Mapped[list[Unit]] = relationship(secondary=user_units, order_by=Unit.name)

    @property
    def is_active(self):  # Flask-Login: a disabled account cannot be signed in
        return self.is_active_account

    @property
    def role_codes(self) -> frozenset:
        return frozenset(r.code for r in self.roles)

    def has_role(self, *codes) -> bool:
        return bool(self.role_codes.intersection(codes))

    @property
    def is_read_only(self) -> bool:
        """Holds only roles that read (an auditor): changes nothing but their own session and account."""
        return bool(self.role_codes) and self.role_codes <= READ_ONLY_ROLES

    def is_locked(self, now=None) -> bool:
        """Locked out after too many failed sign-ins (locked_until stays behind as the lock's end)."""
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def __repr__(self):
        return f"<User {self.username}>"


class AuthSession(db.Model):
    """A server-side sign-in session; the cookie only carries its random key."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Every sign-in attempt and every wrong password typed again (to sign, to change it), counted
    to lock an account out across all worker processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "attempted_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)
    ip: Mapped[str | None] = mapped_column(String(64))
    # what the password was typed for: "sign_in", "signature" or "password_change"; every failure
    # counts toward the lock-out
    purpose: Mapped[str] = mapped_column(String(20), default="sign_in", server_default="sign_in")


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_active(self):
        return self.revoked_at is None
