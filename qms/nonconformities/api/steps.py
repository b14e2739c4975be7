"""The steps of an NC through the API: POST /api/v1/nonconformities/{id}/{step}, one per step the NC
page offers, each calling the one service that owns it. The services enforce the rules and the
gates (a gate not met answers 409 naming it, e.g. gate_analysis_not_accepted, and changes nothing);
signed steps take the signer's password in the body; an optional row_version makes a concurrent
change a 409 conflict. Each step answers with the whole NC as it now is."""

from flask import jsonify
from flask_babel import lazy_gettext as _l

from qms.api import api_route, error_spec, json_spec, path_param
from qms.auth.models import QUALITY_OFFICER
from qms.core.access import allow
from qms.nonconformities import permissions as perm
from qms.nonconformities import services
from qms.nonconformities.api.body import Body, refuse
from qms.nonconformities.api.register import (
    BAD_BODY,
    NC_ID,
    NOT_FOUND,
    TAGS,
    actor,
    item_or_404,
    json_body,
    nc_or_404,
    review_or_404,
)
from qms.nonconformities.api.shapes import NC_DETAIL_SCHEMA, nc_detail, nc_url
from qms.nonconformities.models import CauseCategory, Disposition, ReviewResult
from qms.nonconformities.services.common import check_row_version

TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date"}
PERSON_REF = {"oneOf": [{"type": "integer"}, {"type": "string"}], "description": "A user's id or user name"}
ROW_VERSION = {
    "type": "integer",
    "description": "The NC's row_version you acted on (optional): if someone changed it since, 409 conflict",
}
PASSWORD = {"type": "string", "format": "password", "description": "Your password: you sign this decision"}


def step_route(tail, *, summary, description, fields, required=(), gates="", signed=False, created=False, extra=()):
    """An API route for one step of an NC, described with its body and its refusals."""
    if signed:
        fields = {"password": PASSWORD, **fields}
        required = ("password", *required)
    refusals = (
        "Not allowed for you on this NC (error: forbidden: the quality officer or the NC's handler, an item's "
        "owner, the review's reviewer; or the NC is closed or cancelled)"
    )
    if signed:
        refusals += "; or the password is wrong (error: bad_password; the attempt is recorded, nothing is signed)"
    responses = {
        "201" if created else "200": json_spec(NC_DETAIL_SCHEMA, "The NC after the step"),
        "400": BAD_BODY,
        "403": error_spec(refusals),
        "404": NOT_FOUND,
        "409": error_spec(
            (f"A gate is not met (error: {gates}); nothing changed. " if gates else "")
            + "Or error: conflict: someone changed the NC since the row_version you sent"
        ),
    }
    if signed:
        responses["429"] = error_spec("The account is locked after too many wrong passwords (error: locked)")
    return api_route(
        f"/nonconformities/<int:nc_id>{tail}",
        methods=("POST",),
        summary=summary,
        tags=TAGS,
        description=description + ("\n\nSigned: the quality officer's password in `password`." if signed else ""),
        parameters=[NC_ID, *extra],
        request_body=json_body({**fields, "row_version": ROW_VERSION}, required),
        responses=responses,
    )


def answer(nc, created=False):
    response = jsonify(nc_detail(nc))
    if created:
        response.status_code = 201
        response.headers["Location"] = nc_url(nc)
    return response


# --- ISO 8.7: the correction and the disposition ------------------------------------------------------


@allow(*perm.REPORTERS)
@step_route(
    "/correction",
    summary="Record the immediate correction",
    description="What is done at once, who does it, by when, and whether it is done (marked done now). "
    "Recording it again changes it. The quality officer or the NC's handler.",
    fields={
        "what": TEXT,
        "by": PERSON_REF,
        "due_on": DATE,
        "done": {"type": "boolean", "description": "The correction is done (default false)"},
    },
    required=("what", "by"),
)
def record_nc_correction(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("what", "by", "due_on", "done")
    services.record_correction(
        user,
        nc,
        what=body.text("what"),
        by=body.person(user, "by"),
        due_on=body.day("due_on"),
        done=bool(body.flag("done")),
        expected_row_version=body.row_version(),
    )
    return answer(nc)


@allow(*perm.REPORTERS)
@step_route(
    "/disposition",
    summary="Record the disposition of the nonconforming output",
    description="What was done with the output (ISO 8.7): corrected, suspended, citizen informed, or "
    "accepted by concession; recorded with who decided and when.",
    fields={"disposition": {"type": "string", "enum": [d.value for d in Disposition]}},
    required=("disposition",),
)
def record_nc_disposition(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("disposition")
    services.record_disposition(user, nc, disposition=body.text("disposition"), expected_row_version=body.row_version())
    return answer(nc)


# --- ISO 10.2: the decision and the analysis ----------------------------------------------------------


@allow(*perm.REPORTERS)
@step_route(
    "/action-needed",
    summary="Decide whether a corrective action is needed",
    description="When it is not, the reason is required. The decision stands once the round's analysis is accepted.",
    fields={"needed": {"type": "boolean"}, "reason": {**TEXT, "description": "Required when needed is false"}},
    required=("needed",),
    gates="analysis_accepted",
)
def decide_nc_action_needed(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("needed", "reason")
    services.decide_action_needed(
        user,
        nc,
        needed=body.flag("needed", required=True),
        reason=body.text("reason"),
        expected_row_version=body.row_version(),
    )
    return answer(nc)


@allow(*perm.REPORTERS)
@step_route(
    "/whys",
    summary="Add the next why of the 5-Whys chain",
    description="The question and its answer, at the end of the current round's chain (at most 10). "
    "Until the analysis is accepted.",
    fields={"question": TEXT, "answer": TEXT},
    required=("answer",),
    gates="gate_analysis_accepted",
    created=True,
)
def add_nc_why(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("question", "answer")
    services.add_why(
        user, nc, question=body.text("question"), answer=body.text("answer"), expected_row_version=body.row_version()
    )
    return answer(nc, created=True)


@allow(*perm.REPORTERS)
@step_route(
    "/causes",
    summary="Add a cause to the fishbone",
    description="A cause in one of the six categories, marked as a root cause or not. Until the analysis is accepted.",
    fields={
        "category": {"type": "string", "enum": [c.value for c in CauseCategory]},
        "description": TEXT,
        "is_root": {"type": "boolean", "description": "A root cause (default false)"},
    },
    required=("category", "description"),
    gates="gate_analysis_accepted",
    created=True,
)
def add_nc_cause(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("category", "description", "is_root")
    services.add_cause(
        user,
        nc,
        category=body.text("category"),
        description=body.text("description"),
        is_root=bool(body.flag("is_root")),
        expected_row_version=body.row_version(),
    )
    return answer(nc, created=True)


@allow(QUALITY_OFFICER)
@step_route(
    "/accept-analysis",
    summary="Accept the root-cause analysis (signed)",
    description="The quality officer accepts the current round's analysis: at least one why answered and a "
    "fishbone cause marked as the root cause. Action items can be planned from then on.",
    fields={"comment": TEXT},
    gates="gate_not_open, gate_analysis_accepted, gate_root_cause_missing",
    signed=True,
)
def accept_nc_analysis(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("password", "comment")
    services.accept_analysis(
        user, nc, password=body.password(), comment=body.text("comment"), expected_row_version=body.row_version()
    )
    return answer(nc)


# --- action items and the effectiveness review --------------------------------------------------------


@allow(*perm.REPORTERS)
@step_route(
    "/items",
    summary="Add an action item",
    description="What, who owns it, by when. With `document` (a document code), the item revises that "
    "document: a change request is opened on it through document control (it must be in force).",
    fields={
        "what": TEXT,
        "owner": PERSON_REF,
        "due_on": {**DATE, "description": "Today or later"},
        "document": {**TEXT, "description": "Code of a document the item revises"},
    },
    required=("what", "owner", "due_on"),
    gates="gate_no_action_needed, gate_analysis_not_accepted",
    created=True,
)
def add_nc_item(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("what", "owner", "due_on", "document")
    services.add_action(
        user,
        nc,
        what=body.text("what"),
        owner=body.person(user, "owner", required=True),
        due_on=body.day("due_on", required=True),
        document=body.document(user, "document"),
        expected_row_version=body.row_version(),
    )
    return answer(nc, created=True)


ITEM_ID = path_param("item_id", "Id of the action item", {"type": "integer"})
REVIEW_ID = path_param("review_id", "Id of the effectiveness review", {"type": "integer"})


@allow(*perm.REPORTERS)
@step_route(
    "/items/<int:item_id>/complete",
    summary="Mark an action item done",
    description="The item's owner (or the quality officer) marks it done, with its result. When the last "
    "item of the round is done, the NC waits for its effectiveness review.",
    fields={"result": {**TEXT, "description": "What was done"}},
    required=("result",),
    gates="gate_item_done",
    extra=(ITEM_ID,),
)
def complete_nc_item(nc_id, item_id):
    nc, user = nc_or_404(nc_id), actor()
    item = item_or_404(nc, item_id)
    body = Body("result")
    services.complete_action(user, item, result=body.text("result"), expected_row_version=body.row_version())
    return answer(nc)


@allow(*perm.REPORTERS)
@step_route(
    "/review",
    summary="Plan the effectiveness review",
    description="When, and who reviews; planning again changes the review not yet made. The reviewer owns "
    "none of the round's items (error reviewer_owns_item, 409).",
    fields={"planned_on": DATE, "reviewer": PERSON_REF},
    required=("planned_on", "reviewer"),
    gates="gate_no_actions, reviewer_owns_item",
)
def plan_nc_review(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("planned_on", "reviewer")
    services.plan_review(
        user,
        nc,
        planned_on=body.day("planned_on", required=True),
        reviewer=body.person(user, "reviewer", required=True),
        expected_row_version=body.row_version(),
    )
    return answer(nc)


@allow(*perm.REPORTERS)
@step_route(
    "/reviews/<int:review_id>",
    summary="Record the result of an effectiveness review",
    description="The reviewer records effective or not effective, dated the day the review was made (today "
    "by default, never in the future). Not effective (notes required): a new round of analysis and actions "
    "opens on the same NC.",
    fields={
        "result": {"type": "string", "enum": [r.value for r in ReviewResult]},
        "reviewed_on": DATE,
        "notes": TEXT,
    },
    required=("result",),
    gates="gate_review_done, reviewer_owns_item",
    extra=(REVIEW_ID,),
)
def record_nc_review(nc_id, review_id):
    nc, user = nc_or_404(nc_id), actor()
    review = review_or_404(nc, review_id)
    body = Body("result", "reviewed_on", "notes")
    services.record_review(
        user,
        review,
        result=body.text("result"),
        reviewed_on=body.day("reviewed_on"),
        notes=body.text("notes"),
        expected_row_version=body.row_version(),
    )
    return answer(nc)


# --- the quality officer's decisions ------------------------------------------------------------------


@allow(QUALITY_OFFICER)
@step_route(
    "/close",
    summary="Close the nonconformity (signed)",
    description="Gates: the correction recorded and done (or the NC is an observation); when a corrective "
    "action was needed, the analysis accepted, every item done and an effectiveness review 'effective', "
    "dated on or after the last item was done, by a reviewer who owns none of the items. Closing records "
    "whether the risks and opportunities and the process documents need updating (and which documents).",
    fields={
        "risks_need_update": {"type": "boolean"},
        "documents_need_update": {"type": "boolean"},
        "documents": {
            "type": "array",
            "items": TEXT,
            "description": "Codes of the documents to update (when documents_need_update)",
        },
        "comment": TEXT,
    },
    required=("risks_need_update", "documents_need_update"),
    gates="gate_not_open, gate_not_ready_to_close",
    signed=True,
)
def close_nonconformity(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("password", "risks_need_update", "documents_need_update", "documents", "comment")
    services.close_nc(
        user,
        nc,
        password=body.password(),
        risks_need_update=body.flag("risks_need_update"),
        documents_need_update=body.flag("documents_need_update"),
        documents=body.documents(user, "documents"),
        comment=body.text("comment"),
        expected_row_version=body.row_version(),
    )
    return answer(nc)


@allow(QUALITY_OFFICER)
@step_route(
    "/reopen",
    summary="Reopen a closed nonconformity (signed)",
    description="With a reason: a new round of analysis and actions begins; earlier rounds stay as they were.",
    fields={"reason": TEXT},
    required=("reason",),
    gates="gate_not_closed",
    signed=True,
)
def reopen_nonconformity(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("password", "reason")
    services.reopen_nc(
        user, nc, password=body.password(), reason=body.text("reason"), expected_row_version=body.row_version()
    )
    return answer(nc)


@allow(QUALITY_OFFICER)
@step_route(
    "/cancel",
    summary="Cancel a nonconformity (signed)",
    description="An open NC recorded in error or a duplicate, with a reason.",
    fields={"reason": TEXT},
    required=("reason",),
    gates="gate_not_open",
    signed=True,
)
def cancel_nonconformity(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("password", "reason")
    services.cancel_nc(
        user, nc, password=body.password(), reason=body.text("reason"), expected_row_version=body.row_version()
    )
    return answer(nc)


@allow(QUALITY_OFFICER)
@step_route(
    "/handler",
    summary="Name who handles the nonconformity",
    description="The quality officer names an active member of the commune (not an auditor) to lead the "
    "handling; null: the quality officer again.",
    fields={"handler": {**PERSON_REF, "nullable": True}},
    required=("handler",),
)
def assign_nc_handler(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("handler")
    if "handler" not in body.data:
        refuse(_l("%(name)s is required.", name="handler"), "bad_field")
    services.assign_handler(user, nc, body.person(user, "handler"), expected_row_version=body.row_version())
    return answer(nc)


@allow(*perm.REPORTERS)
@step_route(
    "/links",
    summary="Link a similar nonconformity",
    description="An NC of the commune that is similar or could recur from this one (shown on both).",
    fields={
        "other": {"oneOf": [{"type": "integer"}, {"type": "string"}], "description": "Its id or number"},
        "note": TEXT,
    },
    required=("other",),
    gates="already_linked",
    created=True,
)
def link_similar_nc(nc_id):
    nc, user = nc_or_404(nc_id), actor()
    body = Body("other", "note")
    check_row_version(nc, body.row_version())
    services.link_similar(user, nc, body.nonconformity(user, "other"), note=body.text("note"))
    return answer(nc, created=True)
