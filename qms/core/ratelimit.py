"""Limits on what one client may do from the public pages (no sign-in): the feedback box's
submissions, the citizens' lookups of a dossier that found nothing.

Each counted attempt is a row: the limit's scope, a keyed hash of the client's address (HMAC with
the installation's secret, so the address cannot be read back, nor found by hashing a list of
addresses) and the time. The rows are in the database, so every worker counts the same; nothing
else about the address is kept, and a job forgets the rows after a day (a limit looks back an hour).

An attempt is counted first (`note`, the transaction's first write), and checked afterwards
(`check`), once the attempt holds a lock that every other attempt of the same client must wait
for: on SQLite the database's write lock, which the first write took; on PostgreSQL a transaction
lock on the client's key. Attempts made at once, by any worker, are therefore checked one after
the other, each seeing the ones before it, and the limit is exact. A refused attempt's count goes
with the refusal (its unit of work is undone), unless the caller records it on purpose.
"""

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Index, String, delete, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.calendar import utcnow
from qms.core.jobs import register_job
from qms.db import DomainError, UTCDateTime, db

WINDOW = dt.timedelta(hours=1)
FORGET_AFTER = dt.timedelta(days=1)  # the counts are kept this long, then deleted (the job)


class ClientHit(db.Model):
    """One counted attempt of a client (a keyed hash of its address) under one limit."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_scope_client_at", "scope", "client_key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))  # which limit: "feedback", "dossier_lookup"
    client_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RateLimited(DomainError):
    """An attempt over its client's allowance (HTTP 429)."""


@dataclass(frozen=True)
class RateLimit:
    """At most `config[setting]` counted attempts of one client address within WINDOW.

    scope: the limit's name, kept on each row (the limits count apart); setting: the configuration
    key of the allowance; message(n): the refusal's message when the allowance is n."""

    scope: str
    setting: str
    message: Callable

    @property
    def allowance(self) -> int:
        return int(current_app.config[self.setting])

    def key(self, address) -> str:
        """A keyed hash of the client's address: the same address always gives the same key, but
        the address cannot be read back from it (nor found by hashing every address without the
        secret). The limits key the same address differently."""
        secret = current_app.config["SECRET_KEY"].encode()
        return hmac.new(secret, f"{self.scope}-client:{address or ''}".encode(), hashlib.sha256).hexdigest()

    def note(self, address, now=None) -> ClientHit:
        """Count an attempt of `address`; returns its row. Make it the transaction's first write:
        on SQLite that takes the database's write lock, so that check() sees every attempt before
        it (and a savepoint taken later is inside the transaction)."""
        hit = ClientHit(scope=self.scope, client_key=self.key(address), at=now or utcnow())
        db.session.add(hit)
        db.session.flush()
        return hit

    def count(self, client_key, now=None) -> int:
        """The attempts counted for the client within the window before `now`."""
        now = now or utcnow()
        return db.session.scalar(
            select(func.count())
            .select_from(ClientHit)
            .where(ClientHit.scope == self.scope, ClientHit.client_key == client_key, ClientHit.at > now - WINDOW)
        )

    def check(self, hit, now=None, refusal=RateLimited):
        """Refuse (raise `refusal`, status 429) when the client's counted attempts, `hit` included,
        are more than its allowance. Waits first for the client's other attempts under way (see the
        module's docstring), so that it counts them all."""
        _hold(hit.client_key)
        allowance = self.allowance
        if self.count(hit.client_key, now or hit.at) > allowance:
            raise refusal(self.message(allowance), code="rate_limited", status=429)

    def forget(self, hit):
        """Take back an attempt counted by note() (it is not one the limit counts after all)."""
        db.session.delete(hit)
        db.session.flush()


def _hold(client_key):
    """On PostgreSQL, a lock on the client's key until the transaction ends (other attempts of the
    same client wait for it; other clients do not). On SQLite the first write already holds the
    database's write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(client_key[:15], 16)}
        )  # 60 bits: a bigint


def forget_old_hits(now=None) -> int:
    """Delete the counts older than a day, of every limit (each looks back an hour)."""
    result = db.session.execute(delete(ClientHit).where(ClientHit.at < (now or utcnow()) - FORGET_AFTER))
    return result.rowcount or 0


def _forget(app):
    return f"{forget_old_hits()} rate-limit count(s) older than a day deleted"


register_job(
    "ratelimit.forget",
    _forget,
    "Delete the public pages' rate-limit counts (keyed hashes of client addresses) older than a day",
)
