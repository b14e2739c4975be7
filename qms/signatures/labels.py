"""Labels of what signatures record (see qms.core.labels)."""

from flask_babel import lazy_gettext as _l

from qms.core.labels import register

register(
    actions={"signature.password_refused": _l("Signature refused (wrong password)")},
    fields={"signature": _l("Signature"), "signed_digest": _l("Digest of what was signed"), "meaning": _l("Meaning")},
)
