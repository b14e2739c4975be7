"""A savepoint taken before a transaction's first write stays inside the transaction (on SQLite the
driver would otherwise let the savepoint open a transaction of its own, committed by its release):
what was written under it is undone by the rollback of the whole."""

from sqlalchemy import func, select

from qms.auth.models import Unit
from qms.db import db


def test_a_rollback_undoes_what_a_savepoint_before_the_first_write_kept(world):
    commune = world["a"]["commune"]
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Unit))
    with db.session.begin_nested():
        db.session.add(Unit(commune_id=commune.id, code="TMP", name="Tạm"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == before


def test_a_refused_report_leaves_no_nonconformity(world):
    import pytest

    from qms.db import DomainError
    from qms.nonconformities.models import Nonconformity
    from qms.nonconformities.services import report_nc

    a = world["a"]
    db.session.commit()
    with pytest.raises(DomainError):
        report_nc(a["users"]["staff"], a["commune"], title="Hồ sơ trễ", clause="3.9")
    nc = report_nc(a["users"]["staff"], a["commune"], title="Hồ sơ trễ")
    assert nc.id is not None
    db.session.rollback()  # as the unit of work does when the request fails after it
    assert db.session.scalar(select(func.count()).select_from(Nonconformity)) == 0


def test_a_refusal_inside_a_standalone_part_undoes_that_part_only(world):
    """One item of a batch refused: what it wrote is undone, the unit of work still commits the rest."""
    import pytest

    from qms.db import DomainError, standalone_part, unit_of_work

    commune = world["a"]["commune"]
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Unit))
    with unit_of_work():
        with standalone_part():
            db.session.add(Unit(commune_id=commune.id, code="KEPT", name="Giữ"))
        with pytest.raises(DomainError), standalone_part():
            db.session.add(Unit(commune_id=commune.id, code="UNDONE", name="Bỏ"))
            db.session.flush()
            raise DomainError("refused", code="refused")
    db.session.remove()
    codes = set(db.session.scalars(select(Unit.code)))
    assert "KEPT" in codes and "UNDONE" not in codes
    assert db.session.scalar(select(func.count()).select_from(Unit)) == before + 1


def test_a_refusal_outside_any_part_still_undoes_the_whole(world):
    import pytest

    from qms.db import DomainError, standalone_part, unit_of_work

    commune = world["a"]["commune"]
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Unit))
    with unit_of_work():
        with standalone_part():
            db.session.add(Unit(commune_id=commune.id, code="PART", name="Phần"))
        with pytest.raises(DomainError):
            raise DomainError("refused", code="refused")
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == before
