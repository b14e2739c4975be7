"""Imports every model module so that the metadata (and Alembic) sees all tables."""

from qms.audit import models as audit_models  # noqa: F401
from qms.audits import models as internal_audit_models  # noqa: F401
from qms.auth import models as auth_models  # noqa: F401
from qms.core import (
    calendar_days,  # noqa: F401
    ratelimit,  # noqa: F401  (its table, and the job that forgets its counts)
)
from qms.documents import models as document_models  # noqa: F401
from qms.dossiers import models as dossier_models  # noqa: F401
from qms.evidence import models as evidence_models  # noqa: F401
from qms.feedback import models as feedback_models  # noqa: F401
from qms.files import models as file_models  # noqa: F401
from qms.nonconformities import models as nonconformity_models  # noqa: F401
from qms.processes import models as process_models  # noqa: F401
from qms.signatures import models as signature_models  # noqa: F401
