"""Distribution (who a document reaches: a unit, a role, or a role within a unit) and the
"read and understood" tasks it gives for the version in force."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.services import record_event
from qms.auth.models import Role, Unit, User
from qms.core.calendar import utcnow
from qms.db import DomainError, db
from qms.documents import permissions as perm
from qms.documents.models import Acknowledgment, Distribution
from qms.documents.services.common import current_version, require


def _role_by_code(code):
    role = db.session.scalar(select(Role).where(Role.code == code))
    if role is None:
        raise DomainError(_l("Unknown role: %(r)s", r=code))
    return role


def set_distribution(actor, document, targets):
    """Who the document is distributed to: a list of (unit or None, role code or None); a unit and a
    role together mean the holders of that role in that unit. The users newly reached get a task to
    acknowledge the current effective version."""
    require(
        None
        if perm.can_manage_distribution(actor, document)
        else _l("Only a quality officer can change the distribution of an active document.")
    )
    wanted = set()
    for unit, role_code in targets:
        if unit is None and not role_code:
            continue
        if unit is not None and (unit.commune_id != document.commune_id or not isinstance(unit, Unit)):
            raise DomainError(_l("A chosen unit does not belong to this commune."))
        wanted.add((unit.id if unit else None, _role_by_code(role_code).id if role_code else None))
    current = {(d.unit_id, d.role_id): d for d in document.distributions}
    if set(current) == wanted:
        return {}
    old = sorted(_distribution_label(d.unit, d.role) for d in document.distributions)
    for key, row in current.items():
        if key not in wanted:
            document.distributions.remove(row)
    for unit_id, role_id in sorted(wanted - set(current), key=lambda k: (k[0] or 0, k[1] or 0)):
        document.distributions.append(Distribution(unit_id=unit_id, role_id=role_id))
    db.session.flush()
    db.session.expire(document, ["distributions"])
    new = sorted(_distribution_label(d.unit, d.role) for d in document.distributions)
    changes = {"distribution": (old, new)}
    record_event(actor, "document.distribution_updated", document, changes=changes)
    effective = current_version(document)
    if effective is not None:
        assign_acknowledgments(effective)
    return changes


def _distribution_label(unit, role):
    return "/".join(part for part in (unit.code if unit else "", role.code if role else "") if part)


def distribution_user_ids(document):
    """Active users of the document's commune reached by its distribution."""
    ids = set()
    for row in document.distributions:
        query = select(User.id).where(User.commune_id == document.commune_id, User.is_active_account)
        if row.unit_id is not None:
            query = query.where(User.units.any(Unit.id == row.unit_id))
        if row.role_id is not None:
            query = query.where(User.roles.any(Role.id == row.role_id))
        ids.update(db.session.scalars(query))
    return ids


def assign_acknowledgments(version):
    reached = distribution_user_ids(version.document)
    if not reached:
        return 0
    assigned = set(db.session.scalars(select(Acknowledgment.user_id).where(Acknowledgment.version_id == version.id)))
    new = sorted(reached - assigned)
    for user_id in new:
        db.session.add(Acknowledgment(commune_id=version.commune_id, version_id=version.id, user_id=user_id))
    if new:
        db.session.flush()
        record_event(None, "document.version.acknowledgments_assigned", version, changes={"users": (None, len(new))})
    return len(new)


def acknowledge_version(actor, version):
    """ "Read and understood" for the effective version, by someone of its distribution."""
    require(perm.acknowledge_refusal(actor, version))
    ack = db.session.scalar(
        select(Acknowledgment).where(Acknowledgment.version_id == version.id, Acknowledgment.user_id == actor.id)
    )
    if ack is not None and ack.acknowledged_at is not None:
        raise DomainError(_l("You have already acknowledged this version."), code="already_done")
    now = utcnow()
    if ack is None:
        ack = Acknowledgment(commune_id=version.commune_id, version_id=version.id, user_id=actor.id, assigned_at=now)
        db.session.add(ack)
    ack.acknowledged_at = now
    db.session.flush()
    record_event(actor, "document.version.acknowledged", version, changes={"acknowledged_at": (None, now)})
    return ack
