"""The applicant's details: personal data (Decree 13/2023/NĐ-CP), shown only to those handling the
dossier, and each reading of them is an audit event."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from qms.db import relax_durability
from qms.dossiers import permissions as perm
from qms.dossiers.services.common import record, require


@dataclass(frozen=True)
class Applicant:
    name: str
    phone: str
    address: str


def read_applicant(actor, dossier) -> Applicant:
    """The applicant's name, phone and address for `actor`, who must handle the dossier (received
    it, holds it or is on its control sheet); the reading is recorded ("dossier.applicant_read").
    Raises DomainError (403) for anyone else, recording nothing."""
    require(
        None
        if perm.can_see_applicant(actor, dossier)
        else _l("The applicant's details are shown only to those handling the dossier.")
    )
    relax_durability()  # often all a request writes: the event of the reading
    record(actor, "dossier.applicant_read", dossier, {})
    return Applicant(name=dossier.applicant_name, phone=dossier.applicant_phone, address=dossier.applicant_address)
