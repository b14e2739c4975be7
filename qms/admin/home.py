"""The administrator's home-page sections: stored files found damaged or missing, what the last check
of the file store found, and accounts that need attention in their commune."""

import datetime as dt

from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.auth.models import ADMINISTRATOR, User
from qms.core.calendar import format_datetime, utcnow
from qms.core.names import by_name
from qms.core.tasks import Task, register_section
from qms.db import db
from qms.files import services as files
from qms.files.leftovers import last_summary
from qms.files.references import references_in

RECENT_DAYS = 7
LIMIT = 20


def _task(user, detail):
    return Task(
        title=f"{user.full_name} ({user.username})", detail=detail, url=url_for("admin.show_user", user_id=user.id)
    )


def locked_accounts(admin):
    """Active accounts of the commune locked out after failed sign-ins, soonest unlocked first."""
    users = db.session.scalars(
        select(User)
        .where(User.commune_id == admin.commune_id, User.is_active_account, User.locked_until > utcnow())
        .order_by(User.locked_until)
        .limit(LIMIT)
    )
    return [_task(u, _("Locked until %(d)s", d=format_datetime(u.locked_until))) for u in users]


def accounts_without_role(admin):
    """Active accounts that can sign in but may do nothing, since they hold no role."""
    users = by_name(
        db.session.scalars(
            select(User).where(User.commune_id == admin.commune_id, User.is_active_account, ~User.roles.any())
        )
    )
    return [_task(u, _("Assign a role so that this person can work.")) for u in users[:LIMIT]]


def recent_accounts(admin):
    """Accounts created in the last RECENT_DAYS days, newest first, to check their roles and units."""
    since = utcnow() - dt.timedelta(days=RECENT_DAYS)
    users = db.session.scalars(
        select(User)
        .where(User.commune_id == admin.commune_id, User.created_at >= since)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(LIMIT)
    )
    return [_task(u, _("Created %(d)s", d=format_datetime(u.created_at))) for u in users]


def damaged_files(admin):
    """Stored files found missing or no longer matching their SHA-256 that a record of the
    commune refers to, with the record; they are not served until a good copy is back."""
    damaged = {row.sha256: row for row in files.damaged_files()}
    found = references_in(admin.commune_id, set(damaged))
    tasks = []
    for sha256, references in found.items():
        for reference in references:
            tasks.append(
                Task(
                    title=f"{reference.record} · {reference.filename}",
                    url=reference.url,
                    overdue=True,
                    detail=_(
                        "Found damaged or missing on %(d)s (SHA-256 %(sha)s…). Restore it from the "
                        "backup, or upload the same file again.",
                        d=format_datetime(damaged[sha256].damaged_at),
                        sha=sha256[:16],
                    ),
                )
            )
    summary = file_store_summary()
    return tasks[:LIMIT] + ([summary] if summary else [])


def size_text(size):
    """A size in bytes as people read it: 850 bytes, 12.5 KB, 3.2 MB, 1.1 GB (in the reader's locale)."""
    if size < 1024:
        return _("%(n)s bytes", n=format_decimal(size))
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{format_decimal(size, format='#,##0.#')} {unit}"


def file_store_summary():
    """What the last check of the file store found (`qms files check` or the daily job files.check:
    walking the store and hashing every file is too slow for a page), and when; None before the first."""
    summary = last_summary()
    if summary is None:
        return None
    return Task(
        title=_("File store checked on %(d)s", d=format_datetime(summary.checked)),
        url=url_for("home.index") + "#section-admin-damaged-files",
        overdue=bool(summary.missing or summary.damaged),
        detail=_(
            "%(files)s stored files; %(unreferenced)s that no record refers to (%(size)s), %(missing)s "
            "missing, %(damaged)s damaged; %(temporary)s temporary files of interrupted uploads "
            "(%(temporary_size)s). The command “qms files gc” removes the files no record refers to.",
            files=summary.files,
            unreferenced=summary.unreferenced,
            size=size_text(summary.unreferenced_bytes),
            missing=summary.missing,
            damaged=summary.damaged,
            temporary=summary.temporary,
            temporary_size=size_text(summary.temporary_bytes),
        ),
    )


register_section(
    "admin-damaged-files",
    _l("Damaged or missing stored files"),
    (ADMINISTRATOR,),
    damaged_files,
    _l("Every stored file checked so far is intact."),
    order=9,
)
register_section(
    "admin-locked", _l("Locked accounts"), (ADMINISTRATOR,), locked_accounts, _l("No account is locked."), order=10
)
register_section(
    "admin-without-role",
    _l("Accounts without a role"),
    (ADMINISTRATOR,),
    accounts_without_role,
    _l("Every active account has a role."),
    order=11,
)
register_section(
    "admin-recent",
    _l("Accounts created in the last 7 days"),
    (ADMINISTRATOR,),
    recent_accounts,
    _l("No account was created in the last 7 days."),
    order=12,
)
