"""Document control (ISO 9001 7.5): every change to documents, versions, their signatures, change
requests, distribution and acknowledgments, and the audited downloads, one module per noun.

Each function takes the acting user, checks the rule (the refusals live in permissions.py so that
pages, the API and these functions give the same answer), changes the rows, records the audit event
in the same transaction and flushes. The caller's unit of work commits once (qms.db.unit_of_work).
"""

from qms.documents.services.change_requests import accept_change_request, decline_change_request, propose_change
from qms.documents.services.common import CONFLICT_MESSAGE, current_version, document_by_code, pending_version
from qms.documents.services.distribution import acknowledge_version, distribution_user_ids, set_distribution
from qms.documents.services.documents import create_document, update_document, withdraw_document
from qms.documents.services.downloads import (
    LABEL_CONTROLLED,
    LABEL_DRAFT,
    LABEL_OBSOLETE,
    LABEL_PUBLIC,
    Download,
    controlled_copy,
    download_copy,
    download_original,
    download_public_copy,
    is_published,
    sign_off_text,
    stamp_label,
)
from qms.documents.services.templates import form_template
from qms.documents.services.versions import (
    activate_due_versions,
    approve_version,
    confirm_still_valid,
    create_draft_version,
    import_version,
    make_effective,
    register_external_file,
    replace_draft_file,
    return_to_draft,
    review_version,
    submit_for_review,
    update_draft,
)

__all__ = [
    "CONFLICT_MESSAGE",
    "Download",
    "LABEL_CONTROLLED",
    "LABEL_DRAFT",
    "LABEL_OBSOLETE",
    "LABEL_PUBLIC",
    "accept_change_request",
    "acknowledge_version",
    "activate_due_versions",
    "approve_version",
    "confirm_still_valid",
    "controlled_copy",
    "create_document",
    "create_draft_version",
    "current_version",
    "document_by_code",
    "decline_change_request",
    "distribution_user_ids",
    "download_copy",
    "download_original",
    "download_public_copy",
    "form_template",
    "import_version",
    "is_published",
    "make_effective",
    "pending_version",
    "propose_change",
    "register_external_file",
    "replace_draft_file",
    "return_to_draft",
    "review_version",
    "set_distribution",
    "sign_off_text",
    "stamp_label",
    "submit_for_review",
    "update_document",
    "update_draft",
    "withdraw_document",
]
