"""The JSON of an NC as the API gives it (listed, and whole with its rounds, items, reviews, links,
evidence and signatures), and the OpenAPI schemas that describe it. Codes are the stored values
(status "action_plan"); the next step comes with its label in the reader's language."""

from flask import url_for

from qms.auth.models import Unit, User
from qms.db import db
from qms.documents.models import Document
from qms.nonconformities import queries
from qms.nonconformities.models import (
    CauseCategory,
    Disposition,
    NcMeaning,
    NcSource,
    NcStatus,
    ReviewResult,
    Severity,
)
from qms.nonconformities.progress import next_step
from qms.nonconformities.services import similar_ncs
from qms.signatures.services import signatures_of, subject_kind, verify


def iso(value):
    return value.isoformat() if value is not None else None


def person(user):
    return {"id": user.id, "full_name": user.full_name} if user is not None else None


def _person_by_id(user_id):
    return person(db.session.get(User, user_id)) if user_id is not None else None


def unit(value):
    return {"id": value.id, "code": value.code, "name": value.name} if value is not None else None


def _document(document_id):
    document = db.session.get(Document, document_id) if document_id is not None else None
    return {"code": document.code, "title": document.title} if document is not None else None


def nc_url(nc):
    return url_for("api.show_nonconformity", nc_id=nc.id)


def nc_summary(nc):
    """An NC as the register lists it."""
    return {
        "id": nc.id,
        "number": nc.number,
        "title": nc.title,
        "status": nc.status.value,
        "source": nc.source.value,
        "severity": nc.severity.value,
        "unit": unit(db.session.get(Unit, nc.unit_id) if nc.unit_id is not None else None),
        "detected_at": iso(nc.detected_at),
        "links": {"self": nc_url(nc), "page": url_for("nonconformities.show_nc", nc_id=nc.id)},
    }


def _evidence(attachment):
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "media_type": attachment.media_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "added_by": _person_by_id(attachment.added_by_id),
        "added_at": iso(attachment.added_at),
        "action_id": attachment.action_id,
        "review_id": attachment.review_id,
    }


def _item(item, requests):
    request, version = requests.get(item.change_request_id, (None, None))
    return {
        "id": item.id,
        "what": item.what,
        "owner": _person_by_id(item.owner_id),
        "due_on": iso(item.due_on),
        "done_at": iso(item.done_at),
        "result": item.result,
        "document": _document(item.document_id),
        "change_request": {
            "id": request.id,
            "status": request.status.value,
            "new_version": {"issue_no": version.issue_no, "status": version.status.value} if version else None,
        }
        if request is not None
        else None,
        "links": {"complete": url_for("api.complete_nc_item", nc_id=item.nonconformity_id, item_id=item.id)},
    }


def _review(review):
    return {
        "id": review.id,
        "planned_on": iso(review.planned_on),
        "reviewer": _person_by_id(review.reviewer_id),
        "result": review.result.value if review.result else None,
        "reviewed_on": iso(review.reviewed_on),
        "recorded_at": iso(review.recorded_at),
        "notes": review.notes,
        "links": {"record": url_for("api.record_nc_review", nc_id=review.nonconformity_id, review_id=review.id)},
    }


def _round(round_, requests):
    return {
        "number": round_.number,
        "opened_at": iso(round_.opened_at),
        "opened_reason": round_.opened_reason,
        "analysis_accepted_at": iso(round_.analysis_accepted_at),
        "analysis_accepted_by": _person_by_id(round_.analysis_accepted_by_id),
        "whys": [{"id": w.id, "position": w.position, "question": w.question, "answer": w.answer} for w in round_.whys],
        "causes": [
            {"id": c.id, "category": c.category.value, "description": c.description, "is_root": c.is_root}
            for c in round_.causes
        ],
        "items": [_item(a, requests) for a in round_.actions],
        "reviews": [_review(r) for r in round_.reviews],
    }


def _signatures(nc):
    found = signatures_of(nc)
    digest = subject_kind(nc).content_digest(nc) if found else ""
    out = []
    for signature in found:
        check = verify(signature, nc, current_digest=digest)
        out.append(
            {
                "meaning": signature.meaning,
                "signer": {"id": signature.signer_id, "full_name": signature.signer_name},
                "signed_at": iso(signature.signed_at),
                "comment": signature.comment or "",
                "valid": check.sealed,
                "covers_current_state": check.content_matches,
            }
        )
    return out


def _step_url(nc, step):
    if step.step == "complete":
        item = next(a for a in nc.current_round.actions if a.done_at is None)
        return url_for("api.complete_nc_item", nc_id=nc.id, item_id=item.id)
    if step.step == "reviews":
        review = next(r for r in nc.current_round.reviews if r.result is None)
        return url_for("api.record_nc_review", nc_id=nc.id, review_id=review.id)
    return url_for(STEP_ENDPOINTS[step.step], nc_id=nc.id)


# The steps progress.next_step() names that are one URL each (the others name an item or a review).
STEP_ENDPOINTS = {
    "correction": "api.record_nc_correction",
    "action-needed": "api.decide_nc_action_needed",
    "whys": "api.add_nc_why",
    "accept-analysis": "api.accept_nc_analysis",
    "items": "api.add_nc_item",
    "review": "api.plan_nc_review",
    "close": "api.close_nonconformity",
}


def _next_step(nc):
    step = next_step(nc)
    if step is None:
        return None
    return {
        "step": step.step,
        "label": str(step.label),
        "people": [person(p) for p in step.people],
        "by_quality_officer": step.by_quality_officer,
        "url": _step_url(nc, step),
    }


def nc_detail(nc):
    """The whole record: what was found and where, the correction and disposition (ISO 8.7), the
    decision on a corrective action, each round with its analysis, items and review (10.2), the
    closing answers, similar NCs, evidence, signatures (each verified) and the next step."""
    queries.load_story(nc)
    requests = queries.change_requests_of(nc)
    out = nc_summary(nc)
    out.update(
        {
            "description": nc.description,
            "clause": nc.clause,
            "procedure": _document(nc.procedure_id),
            "process_step": nc.process_step,
            "document": _document(nc.document_id),
            "dossier_code": nc.dossier_code,
            "source_ref": nc.source_ref,
            "detected_by": _person_by_id(nc.detected_by_id),
            "recorded_by": _person_by_id(nc.recorded_by_id),
            "created_at": iso(nc.created_at),
            "handler": _person_by_id(nc.handler_id),
            "correction": {
                "what": nc.correction,
                "by": _person_by_id(nc.correction_by_id),
                "due_on": iso(nc.correction_due_on),
                "done_at": iso(nc.correction_done_at),
            }
            if nc.correction
            else None,
            "disposition": {
                "value": nc.disposition.value,
                "by": _person_by_id(nc.disposition_by_id),
                "at": iso(nc.disposition_at),
            }
            if nc.disposition
            else None,
            "decision": {"action_needed": nc.action_needed, "no_action_reason": nc.no_action_reason},
            "round_no": nc.round_no,
            "rounds": [_round(r, requests) for r in nc.rounds],
            "closing": {
                "closed_at": iso(nc.closed_at),
                "closed_by": _person_by_id(nc.closed_by_id),
                "risks_need_update": nc.risks_need_update,
                "documents_need_update": nc.documents_need_update,
                "documents_to_update": [_document(i) for i in nc.documents_to_update or []],
            }
            if nc.closed_at
            else None,
            "cancelled_at": iso(nc.cancelled_at),
            "cancel_reason": nc.cancel_reason,
            "reopened_count": nc.reopened_count,
            "similar": [
                {"id": o.id, "number": o.number, "title": o.title, "links": {"self": nc_url(o)}}
                for o in similar_ncs(nc)
            ],
            "evidence": [_evidence(a) for a in nc.attachments],
            "signatures": _signatures(nc),
            "next_step": _next_step(nc),
            "row_version": nc.row_version,
        }
    )
    return out


# --- OpenAPI schemas ----------------------------------------------------------------------------------


def _values(enum_cls):
    return [m.value for m in enum_cls]


DATE = {"type": "string", "format": "date", "nullable": True}
DATETIME = {"type": "string", "format": "date-time", "nullable": True}
PERSON = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}},
}
UNIT = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}},
}
DOCUMENT = {
    "type": "object",
    "nullable": True,
    "properties": {"code": {"type": "string"}, "title": {"type": "string"}},
}
LINKS = {"type": "object", "properties": {"self": {"type": "string"}}}
NC_LINKS = {
    "type": "object",
    "properties": {"self": {"type": "string"}, "page": {"type": "string", "description": "The NC's page"}},
}

NC_SUMMARY_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "number": {"type": "string", "description": "Unique in the commune, e.g. SKPH-2026-001"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": _values(NcStatus)},
        "source": {"type": "string", "enum": _values(NcSource)},
        "severity": {"type": "string", "enum": _values(Severity)},
        "unit": UNIT,
        "detected_at": DATETIME,
        "links": NC_LINKS,
    },
}

_ITEM = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "what": {"type": "string"},
        "owner": PERSON,
        "due_on": DATE,
        "done_at": DATETIME,
        "result": {"type": "string"},
        "document": {**DOCUMENT, "description": "The document this item revises"},
        "change_request": {
            "type": "object",
            "nullable": True,
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": ["open", "accepted", "declined"]},
                "new_version": {
                    "type": "object",
                    "nullable": True,
                    "properties": {"issue_no": {"type": "integer"}, "status": {"type": "string"}},
                },
            },
        },
        "links": {"type": "object", "properties": {"complete": {"type": "string"}}},
    },
}
_REVIEW = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "planned_on": DATE,
        "reviewer": PERSON,
        "result": {"type": "string", "nullable": True, "enum": [*_values(ReviewResult), None]},
        "reviewed_on": DATE,
        "recorded_at": DATETIME,
        "notes": {"type": "string"},
        "links": {"type": "object", "properties": {"record": {"type": "string"}}},
    },
}
_ROUND = {
    "type": "object",
    "properties": {
        "number": {"type": "integer"},
        "opened_at": DATETIME,
        "opened_reason": {"type": "string", "description": "Why a round after the first began"},
        "analysis_accepted_at": DATETIME,
        "analysis_accepted_by": PERSON,
        "whys": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "position": {"type": "integer"},
                    "question": {"type": "string"},
                    "answer": {"type": "string"},
                },
            },
        },
        "causes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "category": {"type": "string", "enum": _values(CauseCategory)},
                    "description": {"type": "string"},
                    "is_root": {"type": "boolean"},
                },
            },
        },
        "items": {"type": "array", "items": _ITEM},
        "reviews": {"type": "array", "items": _REVIEW},
    },
}

NC_DETAIL_SCHEMA = {
    "type": "object",
    "properties": {
        **NC_SUMMARY_SCHEMA["properties"],
        "description": {"type": "string"},
        "clause": {"type": "string", "description": "ISO 9001 clause, e.g. 8.5.1"},
        "procedure": DOCUMENT,
        "process_step": {"type": "string"},
        "document": DOCUMENT,
        "dossier_code": {"type": "string"},
        "source_ref": {"type": "string", "nullable": True, "description": "The record of another area it came from"},
        "detected_by": PERSON,
        "recorded_by": PERSON,
        "created_at": DATETIME,
        "handler": PERSON,
        "correction": {
            "type": "object",
            "nullable": True,
            "properties": {"what": {"type": "string"}, "by": PERSON, "due_on": DATE, "done_at": DATETIME},
        },
        "disposition": {
            "type": "object",
            "nullable": True,
            "properties": {"value": {"type": "string", "enum": _values(Disposition)}, "by": PERSON, "at": DATETIME},
        },
        "decision": {
            "type": "object",
            "properties": {
                "action_needed": {"type": "boolean", "nullable": True, "description": "null: not decided yet"},
                "no_action_reason": {"type": "string"},
            },
        },
        "round_no": {"type": "integer", "description": "The round under way"},
        "rounds": {"type": "array", "items": _ROUND},
        "closing": {
            "type": "object",
            "nullable": True,
            "properties": {
                "closed_at": DATETIME,
                "closed_by": PERSON,
                "risks_need_update": {"type": "boolean"},
                "documents_need_update": {"type": "boolean"},
                "documents_to_update": {"type": "array", "items": DOCUMENT},
            },
        },
        "cancelled_at": DATETIME,
        "cancel_reason": {"type": "string"},
        "reopened_count": {"type": "integer"},
        "similar": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "number": {"type": "string"},
                    "title": {"type": "string"},
                    "links": LINKS,
                },
            },
        },
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "filename": {"type": "string"},
                    "media_type": {"type": "string"},
                    "size": {"type": "integer"},
                    "sha256": {"type": "string"},
                    "added_by": PERSON,
                    "added_at": DATETIME,
                    "action_id": {"type": "integer", "nullable": True},
                    "review_id": {"type": "integer", "nullable": True},
                },
            },
        },
        "signatures": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "meaning": {"type": "string", "enum": _values(NcMeaning)},
                    "signer": PERSON,
                    "signed_at": DATETIME,
                    "comment": {"type": "string"},
                    "valid": {"type": "boolean", "description": "The seal is intact (nobody altered the signature)"},
                    "covers_current_state": {
                        "type": "boolean",
                        "description": "The NC still holds what was signed (false once later steps changed it)",
                    },
                },
            },
        },
        "next_step": {
            "type": "object",
            "nullable": True,
            "description": "The step the NC waits for (null once closed or cancelled)",
            "properties": {
                "step": {"type": "string"},
                "label": {"type": "string"},
                "people": {"type": "array", "items": PERSON},
                "by_quality_officer": {"type": "boolean"},
                "url": {"type": "string", "description": "Where to POST it"},
            },
        },
        "row_version": {"type": "integer", "description": "Send it back as row_version to detect a concurrent change"},
    },
}
