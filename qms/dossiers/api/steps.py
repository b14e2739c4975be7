"""The steps of a dossier through the API: POST /api/v1/dossiers/{code}/{step}, a step for each the
dossier's page offers, each calling the one service that owns it with the step's body. The services
enforce the rules (a refusal answers its status and code and changes nothing); an unknown step
answers 404. Each step answers with the dossier as it now is (without the applicant's details).

One route for every step (not one per step): a dossier's code may hold slashes, so the route of one
dossier takes the rest of the path, and a step name the API does not know would otherwise reach it
as a method not allowed (405) rather than as a step not found."""

from flask import jsonify
from flask_babel import lazy_gettext as _l

from qms.api import api_route, error_spec, json_spec, path_param
from qms.core.access import allow
from qms.dossiers import permissions as perm
from qms.dossiers import services
from qms.dossiers.api.body import Fields, json_body, refuse
from qms.dossiers.api.register import CODE, TAGS, actor, dossier_or_404
from qms.dossiers.api.shapes import DOSSIER_DETAIL_SCHEMA, dossier_detail

TEXT = {"type": "string"}
NOTES = {"type": "string", "description": "Notes for the control sheet (optional)"}


STEPS = {}  # name -> Step, in the order a dossier meets them


class Step:
    """One step a client may take on a dossier: its fields (with their OpenAPI schemas), who may take
    it (`who(user, dossier)`: the reason why not, or None), the refusals its service may answer, and
    the call of that service."""

    def __init__(self, name, call, *, summary, fields, required=(), refusals="", conflicts="", who=perm.act_refusal):
        self.name, self.call, self.summary, self.who = name, call, summary, who
        self.fields, self.required, self.refusals, self.conflicts = fields, tuple(required), refusals, conflicts
        STEPS[name] = self

    @property
    def schema(self):
        schema = {
            "title": self.name,
            "description": self.summary,
            "type": "object",
            "properties": self.fields,
            "additionalProperties": False,
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema

    def described(self):
        text = f"* `{self.name}`: {self.summary}"
        if self.fields:
            names = (f"`{n}`" + (" (required)" if n in self.required else "") for n in self.fields)
            text += f" Body: {', '.join(names)}."
        if self.refusals:
            text += f" 400: {self.refusals}."
        if self.conflicts:
            text += f" 409: {self.conflicts}."
        return text


def _hand_over(user, dossier, body):
    to_user = body.person(user, "to")
    if not to_user.has_role(*perm.RECEIVERS):
        refuse(
            _l(
                "%(name)s does not handle dossiers: choose a staff member, a leader or a quality officer.",
                name=to_user.full_name,
            ),
            "not_a_handler",
        )
    services.hand_over(user, dossier, to_user=to_user, notes=body.text("notes"))


Step(
    "handover",
    _hand_over,
    summary="The holder ends the step in progress and gives the dossier to `to` (a staff member, leader or quality "
    "officer of the commune, by user name) for the next step; the control sheet's line says whether the step "
    "ended early, on time or late against its allowance.",
    fields={"to": {"type": "string", "description": "User name (or id) of the person who receives it"}, "notes": NOTES},
    required=("to",),
    refusals="unknown_user, not_a_handler",
    conflicts="not_open, last_step",
)
Step(
    "supplement",
    lambda user, dossier, body: services.request_supplement(
        user, dossier, items=body.texts("items"), notes=body.text("notes")
    ),
    summary="Ask the citizen to supplement the dossier, once, with the list of what is missing: the clock stops.",
    fields={"items": {"type": "array", "items": TEXT, "description": "What the citizen must bring"}, "notes": NOTES},
    required=("items",),
    refusals="items_required",
    conflicts="not_open, once",
)
Step(
    "supplement-received",
    lambda user, dossier, body: services.receive_supplement(user, dossier, notes=body.text("notes")),
    summary="The citizen brought what was missing: the clock runs again, the due date pushed by the working days "
    "it stood still (unless an apology letter already set the date).",
    fields={"notes": NOTES},
    conflicts="not_waiting",
)
Step(
    "refusal",
    lambda user, dossier, body: services.refuse_dossier(user, dossier, reason=body.text("reason")),
    summary="Refuse the dossier, with the reason (given to the citizen on the refusal form).",
    fields={"reason": TEXT},
    required=("reason",),
    refusals="reason_required",
    conflicts="not_open",
)
Step(
    "result",
    lambda user, dossier, body: services.record_result(user, dossier, notes=body.text("notes")),
    summary="The result is ready, at the last step: the dossier is early, on time or late against its due date; "
    "late opens a nonconformity (source: late dossier) at once.",
    fields={"notes": NOTES},
    conflicts="not_open, not_last_step",
)
Step(
    "return",
    lambda user, dossier, body: services.return_result(user, dossier, notes=body.text("notes")),
    summary="The result was handed to the citizen.",
    fields={"notes": NOTES},
    conflicts="not_ready",
)
Step(
    "withdrawal",
    lambda user, dossier, body: services.withdraw_dossier(user, dossier, reason=body.text("reason")),
    summary="The citizen withdrew the dossier, with their reason.",
    fields={"reason": TEXT},
    required=("reason",),
    refusals="reason_required",
    conflicts="not_open",
)
Step(
    "extension",
    lambda user, dossier, body: services.extend_due_date(
        user,
        dossier,
        reason=body.text("reason"),
        new_due_date=body.day("new_due_date", required=True),
        password=body.password(),
    ),
    summary="A leader signs the apology letter that sets a new return date (a working day after the due date): "
    "once per dossier, before its due date, with the reason for the delay; it opens a nonconformity (source: late "
    "dossier) at once. Signed: the leader's password in `password` (a wrong one: 403 bad_password, recorded, "
    "nothing signed; 429 locked after too many). Only a leader (403 forbidden otherwise).",
    fields={
        "reason": TEXT,
        "new_due_date": {"type": "string", "format": "date", "description": "YYYY-MM-DD, a working day"},
        "password": {"type": "string", "format": "password", "description": "Your password: you sign the letter"},
    },
    required=("reason", "new_due_date", "password"),
    refusals="password_required, reason_required, invalid_date",
    conflicts="not_open, once, too_late",
    who=perm.extend_refusal,
)

STEP_PARAM = path_param("step", "The step", {"type": "string", "enum": list(STEPS)})


@allow(*perm.RECEIVERS)
@api_route(
    "/dossiers/<path:code>/<step>",
    methods=("POST",),
    summary="Take a step on a dossier: hand-over, supplement, refusal, result, return, withdrawal, new date",
    tags=TAGS,
    description=(
        "Each step calls the one service that owns it, with the same rules and messages as the dossier's page; "
        "the body is the step's (an unknown field answers 400). Only the person holding the dossier, or the "
        "quality officer, takes a step (403 forbidden otherwise); a refusal changes nothing. The answer is the "
        "dossier as it now is (without the applicant's details).\n\n"
        + "\n".join(step.described() for step in STEPS.values())
    ),
    parameters=[CODE, STEP_PARAM],
    request_body={
        "required": False,
        "description": "The step's fields",
        "content": {"application/json": {"schema": {"oneOf": [step.schema for step in STEPS.values()]}}},
    },
    responses={
        "200": json_spec(DOSSIER_DETAIL_SCHEMA, "The dossier after the step"),
        "400": error_spec(
            "The body is refused (error: json_required, bad_json, unknown_field, bad_field, password_required, or "
            "the step's reason listed above); `message` says what to do"
        ),
        "403": error_spec(
            "Not allowed for you on this dossier (error: forbidden: not its holder nor the quality officer, not a "
            "leader for a new date, or an auditor), or a wrong password (error: bad_password)"
        ),
        "404": error_spec(
            "No dossier with this code in your commune (error: not_found), or no such step (error: unknown_step)"
        ),
        "409": error_spec("The dossier is not where this step applies (the step's code listed above)"),
        "429": error_spec("The account is locked after too many wrong passwords (error: locked)"),
    },
)
def record_dossier_step(code, step):
    found = STEPS.get(step)
    if found is None:
        refuse(
            _l("There is no step %(step)s; the steps are %(steps)s.", step=step, steps=", ".join(STEPS)),
            "unknown_step",
            404,
        )
    dossier, user = dossier_or_404(code), actor()
    refusal = found.who(user, dossier)  # before the body is read: not the user's step, whatever it says
    if refusal:
        refuse(refusal, "forbidden", 403)
    found.call(user, dossier, Fields(json_body(), tuple(found.fields)))
    return jsonify(dossier_detail(dossier))
