"""Which commune a public page (no sign-in) serves: the feedback box, the procedures' catalogue,
the citizens' lookup of a dossier. One installation may serve several communes."""

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select

from qms.db import db


def public_commune(*, own_first=False):
    """The commune named by ?commune=<code> (404 if there is none); or, with `own_first`, the
    signed-in reader's own; or the installation's only one. Returns (commune, None), or (None,
    every commune by name) when the reader has to choose."""
    from qms.auth.models import Commune
    from qms.auth.services import communes as every_commune

    code = (request.args.get("commune") or "").strip()
    if code:
        commune = db.session.scalar(select(Commune).where(Commune.code == code))
        if commune is None:
            abort(404)
        return commune, None
    if own_first and current_user.is_authenticated and current_user.commune_id is not None:
        return current_user.commune, None
    communes = every_commune()
    if len(communes) == 1:
        return communes[0], None
    return None, communes
