"""Helpers of the lookup and rating tests: a dossier walked to its return, the citizen's lookup page
as a browser uses it, and the counts of the rate limit."""

import datetime as dt

from sqlalchemy import func, select

from qms.core.calendar import clock_at
from qms.core.ratelimit import ClientHit
from qms.db import db
from qms.dossiers import services
from tests.conftest import csrf_token

ADDRESS = "203.0.113.40"


def walk_to_return(dossier, catalogue, returner, at, *, result=True, returned=True):
    """At `at`, the quality officer (acting for each holder) hands the dossier along its steps, to
    `returner` at the last one, who records the result and returns it to the citizen; committed."""
    with clock_at(at):
        steps = dossier.process_map.process.steps
        while dossier.step_id != steps[-1].id:
            index = next(i for i, s in enumerate(steps) if s.id == dossier.step_id)
            to = returner if index + 1 == len(steps) - 1 else catalogue.leader
            services.hand_over(catalogue.qo, dossier, to_user=to)
        if result:
            services.record_result(returner, dossier)
        if result and returned:
            services.return_result(returner, dossier)
        db.session.commit()
    return dossier


def lookup_path(commune_code="XA-A", code=None):
    return f"/tra-cuu-ho-so?commune={commune_code}" + (f"&ma={code}" if code else "")


def look_up(client, code, digits, *, commune_code="XA-A", address=ADDRESS):
    """Open the lookup page and send the code and digits, as a citizen's browser does."""
    path = lookup_path(commune_code)
    data = {"csrf_token": csrf_token(client, path), "code": code, "digits": digits}
    return client.post(path, data=data, environ_base={"REMOTE_ADDR": address})


def lookup_hits():
    """The lookup's counted attempts (committed)."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ClientHit).where(ClientHit.scope == "dossier_lookup"))


def later(moment, **delta):
    return moment + dt.timedelta(**delta)
