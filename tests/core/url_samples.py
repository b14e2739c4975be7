"""URL values for the access matrix (tests/core/test_access_matrix.py): extend this when you add routes.

The matrix requests every rule of app.url_map as anonymous, as a user without a role and as each
role, so it must fill in every URL argument with a real record. It starts from `world` (the
fixture in tests/conftest.py: communes "a" and "b", each with world[side]["commune"], ["unit"] and
["users"][role], user names a_<role> / b_<role>), runs every function of SAMPLE_BUILDERS on it,
then asks URL_SAMPLES for each argument of a rule:

    URL_SAMPLES[argument name](world, side) -> the value that names a record of commune `side`

What the matrix asserts, per rule:
  * anonymous -> 302 to /login (pages) or 401 JSON (/api/v1), unless the view is @public;
  * a role outside the view's declaration -> 403, and nothing changes;
  * a role inside it -> neither 403 nor 5xx, using commune a's records; a GET changes nothing;
  * a user of commune b with an allowed role, given commune a's record -> 404 (or 403), and nothing
    changes (for every rule with an argument that names a record, i.e. not in NOT_RECORDS).
A rule with an argument missing here fails the matrix with a message naming it.

Adding an area (document control, say) takes three steps, all in this file or imported into it:

1. A builder creating your records for both communes through your services, committed:

       def add_documents(world):
           from qms.documents.services import create_document
           for side in ("a", "b"):
               qo = world[side]["users"]["quality_officer"]
               world[side]["document"] = create_document(qo, code="QT-01", title="...")
           db.session.commit()

2. Registration of the builder with the arguments it serves:

       register_samples(add_documents,
                        document_id=lambda world, side: world[side]["document"].id,
                        code=lambda world, side: world[side]["document"].code)

   Put the records in the state where the rule applies (a version in review for "approve"), so
   that an allowed role really gets past the declaration. When one argument needs a record in a
   different state for one endpoint, give that endpoint its own sample:
   register_samples(..., endpoints={"documents.approve_version": {"version_id": ...}}).

3. Only if an object-level rule refuses an allowed role on purpose (the author may not approve
   their own version), list it in MAY_REFUSE with the reason; the matrix then accepts its 403.

Records a builder creates must not be the users the matrix signs in as (world[side]["users"]):
requests that disable, reset or change a record must not sign out the next requester. The
"subject" account below exists for that.
"""

from qms.auth import services
from qms.db import db

URL_SAMPLES = {}
SAMPLE_BUILDERS = []
# endpoint -> {argument: function(world, side)}: a sample for one endpoint only, when that endpoint
# needs its record in another state than the argument's general sample (a draft to submit).
ENDPOINT_SAMPLES = {}

# Arguments whose value does not name a record owned by a commune: a static file's name, and the
# audit trail's record-history filters, which only ever search the viewer's own commune's events
# (test_access_matrix checks that commune b sees none of a's events there).
NOT_RECORDS = {"filename", "entity_type", "entity_id"}

# (endpoint, role) -> why an object-level rule may refuse that allowed role with 403.
MAY_REFUSE = {}

# endpoint -> the audit actions a GET of it records. Reading changes nothing, but some reads are
# themselves recorded (every download of a controlled copy is an audit event); the matrix accepts
# exactly these actions from these GETs and no other event.
AUDITED_READS = {}
# endpoints whose GET counts toward a public rate limit (qms.core.ratelimit): it writes that count too
COUNTED_READS = set()


def register_samples(builder=None, endpoints=None, **samples):
    """Add URL argument samples (name=function(world, side)) and the builder making their records.
    endpoints: {endpoint: {argument: function}} for samples that apply to one endpoint only."""
    clash = set(samples) & set(URL_SAMPLES)
    if clash:
        raise ValueError(f"URL argument(s) {sorted(clash)} already have a sample")
    URL_SAMPLES.update(samples)
    for endpoint, by_argument in (endpoints or {}).items():
        ENDPOINT_SAMPLES.setdefault(endpoint, {}).update(by_argument)
    if builder is not None and builder not in SAMPLE_BUILDERS:
        SAMPLE_BUILDERS.append(builder)


def sample(endpoint, argument):
    """The sample function for `argument` of `endpoint`, or None when there is none."""
    return ENDPOINT_SAMPLES.get(endpoint, {}).get(argument) or URL_SAMPLES.get(argument)


def build_world(world):
    """Run every builder on `world` (after the conftest fixture has made communes and users)."""
    for builder in SAMPLE_BUILDERS:
        builder(world)
    return world


# --- accounts and administration --------------------------------------------------------------


def add_accounts(world):
    """Per commune, a staff "subject" whose account the administration routes act on, with an API
    token (revoked only by its owner, so other users get 404 for it)."""
    for side in ("a", "b"):
        commune = world[side]["commune"]
        subject = services.create_user(
            None,
            commune,
            username=f"{side}_subject",
            full_name=f"{side} subject",
            password="Subject-Password-2026",
            roles=["staff"],
            unit_ids=[world[side]["unit"].id],
        )
        token, _plain = services.create_api_token(subject, subject, "matrix")
        world[side]["subject"], world[side]["subject_token"] = subject, token
    db.session.commit()


register_samples(
    add_accounts,
    user_id=lambda world, side: world[side]["subject"].id,
    unit_id=lambda world, side: world[side]["unit"].id,
    token_id=lambda world, side: world[side]["subject_token"].id,
    entity_type=lambda world, side: "users",
    entity_id=lambda world, side: world[side]["subject"].id,
    filename=lambda world, side: "qms.css",
)


# --- document control ---------------------------------------------------------------------------


def add_documents(world):
    """Per commune, with codes that differ between the communes (the API names documents by code, so
    commune b asking for a's code must find nothing of its own):
      * procedure QT-1x with issue 01 effective, distributed to the one-stop unit, and an open change
        request by staff (the general document_id, version_id, request_id and code);
      * a procedure with a draft, a form with a version in review and a form whose version has been
        reviewed, all written by a second quality officer ("author"), so that the matrix's quality
        officer and leader may act on them."""
    from qms.documents import services as documents
    from tests.conftest import PASSWORD
    from tests.files.samples import docx_bytes

    for number, side in enumerate(("a", "b"), start=1):
        commune, unit, users = world[side]["commune"], world[side]["unit"], world[side]["users"]
        author = services.create_user(
            None,
            commune,
            username=f"{side}_author",
            full_name=f"{side} author",
            password=PASSWORD,
            roles=["quality_officer"],
            unit_ids=[unit.id],
        )
        leader, qo = users["leader"], users["quality_officer"]

        def document(code, kind="procedure", parent=None, distribution=()):
            return documents.create_document(
                author,
                commune,
                code=code,
                title=f"Tài liệu {code}",
                kind=kind,
                parent=parent,
                distribution=distribution,
            )

        def draft(doc):
            return documents.create_draft_version(
                author, doc, filename=f"{doc.code}.docx", data=docx_bytes(f"Nội dung {doc.code}")
            )

        procedure = document(f"QT-1{number}", distribution=[(unit, None)])
        effective = draft(procedure)
        documents.submit_for_review(author, effective)
        documents.review_version(leader, effective, password=PASSWORD)
        documents.approve_version(qo, effective, password=PASSWORD)
        change_request = documents.propose_change(
            users["staff"], procedure, what="Sửa bước 2", why="Thời hạn đã thay đổi"
        )
        drafted = draft(document(f"QT-2{number}"))
        in_review = draft(document(f"BM-0{number}-QT-1{number}", kind="form", parent=procedure))
        documents.submit_for_review(author, in_review)
        reviewed = draft(document(f"BM-1{number}-QT-1{number}", kind="form", parent=procedure))
        documents.submit_for_review(author, reviewed)
        documents.review_version(leader, reviewed, password=PASSWORD)
        world[side].update(
            procedure=procedure,
            effective=effective,
            change_request=change_request,
            draft=drafted,
            in_review=in_review,
            reviewed=reviewed,
            author=author,
        )
    db.session.commit()


def _version(state):
    return lambda world, side: world[side][state].id


register_samples(
    add_documents,
    document_id=lambda world, side: world[side]["procedure"].id,
    version_id=_version("effective"),
    request_id=lambda world, side: world[side]["change_request"].id,
    code=lambda world, side: world[side]["procedure"].code,
    endpoints={
        "documents.edit_draft": {"version_id": _version("draft")},
        "documents.submit_version": {"version_id": _version("draft")},
        "documents.review_version": {"version_id": _version("in_review")},
        "documents.return_version": {"version_id": _version("in_review")},
        "documents.approve_version": {"version_id": _version("reviewed")},
    },
)

# Object-level rules of document control: who reviews, approves and confirms depends on the commune's
# settings (default: quality officers and leaders review; quality officers approve forms and
# procedures and confirm them), so the views admit every signed-in user and the rule refuses the rest.
_NOT_A_REVIEWER = "reviewing is for the roles the commune's settings name (default: quality officer, leader)"
_NOT_AN_APPROVER = "approving a form is for the roles the commune's settings name (default: quality officer)"
for _role in ("no_role", "administrator", "staff", "auditor"):
    MAY_REFUSE[("documents.review_version", _role)] = _NOT_A_REVIEWER
    MAY_REFUSE[("documents.return_version", _role)] = _NOT_A_REVIEWER
for _role in ("no_role", "administrator", "staff", "auditor", "leader"):
    MAY_REFUSE[("documents.approve_version", _role)] = _NOT_AN_APPROVER
    MAY_REFUSE[("documents.confirm_version", _role)] = _NOT_AN_APPROVER
    MAY_REFUSE[("documents.withdraw_document", _role)] = _NOT_AN_APPROVER
for _endpoint in (
    "documents.download_version",
    "documents.download_current",
    "documents.download_original",
    "api.download_current_document",
):
    AUDITED_READS[_endpoint] = {"document.version.downloaded"}
MAY_REFUSE[("documents.propose_change", "auditor")] = "auditors read and never change anything"
MAY_REFUSE[("documents.acknowledge_version", "no_role")] = "acknowledging is for the document's distribution"
MAY_REFUSE[("documents.propose_change", "no_role")] = "a user without a role may propose nothing"

# --- nonconformities -------------------------------------------------------------------------------


def add_nonconformities(world):
    """Per commune, an NC reported by staff, corrected, analysed (a why, a root cause) and accepted by
    the quality officer, with an action item owned by staff (not done) and an effectiveness review
    planned with the leader as reviewer (not made): every step has a record to act on."""
    import datetime as dt

    from qms.core.calendar import local_today
    from qms.nonconformities import services as nonconformities
    from tests.conftest import PASSWORD

    for side in ("a", "b"):
        commune, users = world[side]["commune"], world[side]["users"]
        qo, staff, leader = users["quality_officer"], users["staff"], users["leader"]
        nc = nonconformities.report_nc(staff, commune, title="Trả kết quả muộn hồ sơ khai sinh")
        nonconformities.record_correction(qo, nc, what="Gọi điện xin lỗi công dân", by=staff, done=True)
        nonconformities.decide_action_needed(qo, nc, needed=True)
        why = nonconformities.add_why(qo, nc, question="Vì sao trả muộn?", answer="Không ai theo dõi hạn")
        cause = nonconformities.add_cause(qo, nc, category="method", description="Thiếu bước theo dõi", is_root=True)
        nonconformities.accept_analysis(qo, nc, password=PASSWORD)
        item = nonconformities.add_action(
            qo, nc, what="Phân công người theo dõi hạn", owner=staff, due_on=local_today() + dt.timedelta(days=14)
        )
        review = nonconformities.plan_review(qo, nc, planned_on=local_today(), reviewer=leader)
        world[side].update(nc=nc, nc_why=why, nc_cause=cause, nc_item=item, nc_review=review)
    db.session.commit()


register_samples(
    add_nonconformities,
    nc_id=lambda world, side: world[side]["nc"].id,
    item_id=lambda world, side: world[side]["nc_item"].id,
    review_id=lambda world, side: world[side]["nc_review"].id,
)

# Object-level rules of nonconformities: the steps are the quality officer's or the NC's handler's
# (the sample NC has none), an item's completion its owner's (staff) or the quality officer's, a
# review's result its reviewer's (the leader).
_NOT_HANDLER = "only the quality officer or the NC's handler records its steps"
for _endpoint in (
    "api.record_nc_correction",
    "api.record_nc_disposition",
    "api.decide_nc_action_needed",
    "api.add_nc_why",
    "api.add_nc_cause",
    "api.add_nc_item",
    "api.plan_nc_review",
    "api.link_similar_nc",
    "api.attach_nc_evidence",
):
    for _role in ("administrator", "leader", "staff"):
        MAY_REFUSE[(_endpoint, _role)] = _NOT_HANDLER
for _role in ("administrator", "leader"):
    MAY_REFUSE[("api.complete_nc_item", _role)] = "only the item's owner or the quality officer marks it done"
for _role in ("administrator", "quality_officer", "staff"):
    MAY_REFUSE[("api.record_nc_review", _role)] = "only the review's reviewer records its result"

# --- the citizens' feedback box ------------------------------------------------------------------


def add_feedback(world):
    """Per commune, one citizen's feedback waiting for triage (with contact details), received through
    the public page's service."""
    import datetime as dt

    from qms.core.calendar import utcnow
    from qms.feedback import services as feedback

    for number, side in enumerate(("a", "b"), start=1):
        world[side]["feedback"] = feedback.receive_feedback(
            world[side]["commune"],
            kind="complaint",
            message="Phải chờ ở quầy tiếp nhận hơn một giờ.",
            name="Người dân thử",
            phone="0900000000",
            client_address=f"192.0.2.{number}",
            form_stamp_value=feedback.form_stamp(utcnow() - dt.timedelta(minutes=5)),
        )
    db.session.commit()


register_samples(add_feedback, feedback_id=lambda world, side: world[side]["feedback"].id)


# --- the NC pages ----------------------------------------------------------------------------------


def add_nc_page_records(world):
    """Per commune, beside the sample NC (add_nonconformities): an evidence file on it, and another NC
    linked to it as similar (the link's removal needs one)."""
    from qms.nonconformities import services as nonconformities
    from tests.files.samples import docx_bytes

    for side in ("a", "b"):
        qo, nc = world[side]["users"]["quality_officer"], world[side]["nc"]
        evidence = nonconformities.attach_evidence(qo, nc, filename="bien-ban.docx", data=docx_bytes("Biên bản"))
        other = nonconformities.report_nc(qo, world[side]["commune"], title="Trả muộn hồ sơ chứng thực")
        nonconformities.link_similar(qo, nc, other)
        world[side].update(nc_evidence=evidence, nc_other=other)
    db.session.commit()


register_samples(
    add_nc_page_records,
    why_id=lambda world, side: world[side]["nc_why"].id,
    cause_id=lambda world, side: world[side]["nc_cause"].id,
    attachment_id=lambda world, side: world[side]["nc_evidence"].id,
    other_id=lambda world, side: world[side]["nc_other"].id,
)

# The NC page's steps: the quality officer's or the NC's handler's (the sample NC has none); an item's
# completion its owner's (staff) or the quality officer's; a review's result its reviewer's (the leader).
for _endpoint in (
    "record_correction",
    "record_disposition",
    "decide_action_needed",
    "add_why",
    "edit_why",
    "remove_why",
    "add_cause",
    "edit_cause",
    "remove_cause",
    "add_action",
    "edit_action",
    "plan_review",
    "attach_evidence",
    "link_similar",
    "unlink_similar",
):
    for _role in ("administrator", "leader", "staff"):
        MAY_REFUSE[(f"nonconformities.{_endpoint}", _role)] = "only the quality officer or the NC's handler"
for _role in ("administrator", "leader"):
    MAY_REFUSE[("nonconformities.complete_action", _role)] = "only the item's owner or the quality officer"
for _role in ("administrator", "quality_officer", "staff"):
    MAY_REFUSE[("nonconformities.record_review", _role)] = "only the review's reviewer records its result"


# --- procedures and their public catalogue ------------------------------------------------------------


def add_procedures(world):
    """Per commune, a procedure imported from its process map over the effective procedure QT-1x of
    add_documents, with a public form in force (BM-3x-QT-1x, the one the public catalogue serves).
    The national codes differ between the communes (pages and the API name a procedure by its code,
    so commune b asking for a's must find nothing of its own): 1.001193 in a, 2.000884 in b."""
    from qms.documents import services as documents
    from qms.processes import services as processes
    from tests.conftest import PASSWORD
    from tests.files.samples import docx_bytes

    for number, (side, code) in enumerate((("a", "1.001193"), ("b", "2.000884")), start=1):
        commune, users, author = world[side]["commune"], world[side]["users"], world[side]["author"]
        procedure = world[side]["procedure"]
        form = documents.create_document(
            author,
            commune,
            code=f"BM-3{number}-{procedure.code}",
            title="Tờ khai",
            kind="form",
            parent=procedure,
            access="public",
        )
        version = documents.create_draft_version(author, form, filename="Tờ khai.docx", data=docx_bytes("Tờ khai"))
        documents.submit_for_review(author, version)
        documents.review_version(users["leader"], version, password=PASSWORD)
        documents.approve_version(users["quality_officer"], version, password=PASSWORD)
        text = (
            f'procedure: {{code: "{code}", name: Thủ tục thử, field: Hộ tịch, time_limit: {{working_days: 1}}, '
            f"online: partly, process_document: {procedure.code}, forms: [{form.code}]}}\n"
            "roles: {one_stop: Công chức Bộ phận Một cửa}\n"
            "steps: [{id: receive, name: Tiếp nhận, role: one_stop, allowance: {hours: 2}}]\n"
        )
        processes.import_maps(author, commune, [(f"{code}.yaml", text)])
        world[side].update(national_code=code, public_form=form)
    db.session.commit()


def _national_code(world, side):
    return world[side]["national_code"]


register_samples(
    add_procedures,
    form_code=lambda world, side: world[side]["public_form"].code,
    endpoints={
        endpoint: {"code": _national_code}
        for endpoint in (
            "processes.show_procedure",
            "processes.diagram_svg",
            "processes.diagram_png",
            "processes.public_procedure",
            "processes.public_form",
            "api.show_procedure",
            "api.procedure_due_date",
        )
    },
)
# A public form's download is recorded (document control's event), by whoever takes it.
AUDITED_READS["processes.public_form"] = {"document.version.downloaded"}
# A public download also counts toward its client's hourly allowance (a row of rate_limit_hits).
COUNTED_READS.add("processes.public_form")


# --- dossiers -----------------------------------------------------------------------------------------


def add_dossiers(world):
    """Per commune, a dossier of its procedure (add_procedures) received by staff, who holds it; the
    codes differ between the communes (the receiving units' codes TTHCC-a and TTHCC-b)."""
    from qms.dossiers import services as dossiers
    from qms.processes.models import Procedure

    for side in ("a", "b"):
        commune = world[side]["commune"]
        procedure = db.session.scalar(
            db.select(Procedure).where(
                Procedure.commune_id == commune.id, Procedure.code == world[side]["national_code"]
            )
        )
        world[side]["dossier"] = dossiers.receive_dossier(
            world[side]["users"]["staff"],
            commune,
            procedure=procedure,
            channel="in_person",
            applicant_name="Người nộp thử",
            applicant_phone="0900000000",
        )
    db.session.commit()


_DOSSIER_ACTIONS = (
    "hand_over",
    "request_supplement",
    "receive_supplement",
    "refuse_dossier",
    "record_result",
    "return_result",
    "withdraw_dossier",
)
register_samples(
    add_dossiers,
    endpoints={
        f"dossiers.{endpoint}": {"code": lambda world, side: world[side]["dossier"].code}
        for endpoint in ("show_dossier", "extend_due_date", *_DOSSIER_ACTIONS)
    },
)
# The applicant's details are shown to the dossier's handler (the staff who received it), and each
# reading is recorded.
AUDITED_READS["dossiers.show_dossier"] = {"dossier.applicant_read"}
for _endpoint in _DOSSIER_ACTIONS:
    MAY_REFUSE[(f"dossiers.{_endpoint}", "leader")] = "only the dossier's holder (or the quality officer) acts on it"

# The dossiers' API: the same dossier, and a hand-over for its steps' route (the staff who holds it
# gets past the declaration and is refused for the missing `to`; the leader is not its holder).
register_samples(
    endpoints={
        "api.show_dossier": {"code": lambda world, side: world[side]["dossier"].code},
        "api.record_dossier_step": {
            "code": lambda world, side: world[side]["dossier"].code,
            "step": lambda world, side: "handover",
        },
    }
)
AUDITED_READS["api.show_dossier"] = {"dossier.applicant_read"}
MAY_REFUSE[("api.record_dossier_step", "leader")] = "only the dossier's holder (or the quality officer) acts on it"

# --- the citizens' ratings of returned dossiers -------------------------------------------------------


def add_returned_dossiers(world):
    """Per commune, a dossier of its procedure (add_procedures: one step, the receipt is the last)
    whose result the staff who received it recorded and returned to the citizen, not rated yet: the
    one the desk's rating form is posted for."""
    from qms.dossiers import services as dossiers
    from qms.processes.models import Procedure

    for side in ("a", "b"):
        commune, staff = world[side]["commune"], world[side]["users"]["staff"]
        procedure = db.session.scalar(
            db.select(Procedure).where(
                Procedure.commune_id == commune.id, Procedure.code == world[side]["national_code"]
            )
        )
        dossier = dossiers.receive_dossier(
            staff,
            commune,
            procedure=procedure,
            channel="in_person",
            applicant_name="Người nộp thử",
            applicant_phone="0911111111",
        )
        dossiers.record_result(staff, dossier)
        dossiers.return_result(staff, dossier)
        world[side]["returned_dossier"] = dossier
    db.session.commit()


register_samples(
    add_returned_dossiers,
    endpoints={"dossiers.rate_at_desk": {"code": lambda world, side: world[side]["returned_dossier"].code}},
)
for _role in ("leader", "quality_officer"):
    MAY_REFUSE[("dossiers.rate_at_desk", _role)] = (
        "only the officer who returned the result records the rating at the desk"
    )

# --- the one-stop forms of a dossier -------------------------------------------------------------------

# The dossier of add_dossiers; its handler (the staff who received it) fills its forms (the world's
# commune has no one-stop form in force: refused with a reason, 409), everyone else is refused (403).
register_samples(
    endpoints={
        "dossiers.download_form": {
            "code": lambda world, side: world[side]["dossier"].code,
            "kind": lambda world, side: "receipt",
        }
    }
)
# A filled form's reading is a download of the form and a reading of the applicant's details.
AUDITED_READS["dossiers.download_form"] = {"document.version.downloaded", "dossier.applicant_read"}
for _role in ("administrator", "quality_officer", "leader", "auditor"):
    MAY_REFUSE[("dossiers.download_form", _role)] = "a dossier's forms carry personal data: only its handlers fill them"

# --- monitoring ----------------------------------------------------------------------------------------

# A month of a year (a period, not a record: any commune's users name their own commune's month).
NOT_RECORDS |= {"year", "month"}
register_samples(year=lambda world, side: 2026, month=lambda world, side: 11)

# The installation's administrator holds no role inside a commune's work: refused wherever a user
# without a role is.
for (_endpoint, _role), _why in list(MAY_REFUSE.items()):
    if _role == "no_role":
        MAY_REFUSE[(_endpoint, "installation_admin")] = _why


def add_dossier_imports(world):
    """An import of the provincial one-stop system's file in each commune (its record, started by
    the one-stop staff, with nothing read yet)."""
    from qms.dossiers.services.imports import start_import

    for side in ("a", "b"):
        staff = world[side]["users"]["staff"]
        world[side]["dossier_import"] = start_import(
            staff, world[side]["commune"], file_name="ho-so.csv", sha256="0" * 64, size=1
        )
    db.session.commit()


register_samples(add_dossier_imports, import_id=lambda world, side: world[side]["dossier_import"].id)


# --- internal audits ------------------------------------------------------------------------------------


def add_audits(world):
    """Per commune, the 2026 programme with one planned audit of the leadership process (clause 9.3),
    led by staff (who performs no step of it), whose team therefore records its findings."""
    import datetime as dt

    from qms.audits import services as audits

    for side in ("a", "b"):
        users = world[side]["users"]
        programme = audits.programme_for(users["quality_officer"], world[side]["commune"], 2026)
        world[side]["audit"] = audits.add_audit(
            users["quality_officer"],
            programme,
            title="Đánh giá quá trình lãnh đạo",
            clauses=["9.3"],
            planned_start=dt.date(2026, 5, 4),
            planned_end=dt.date(2026, 5, 5),
            lead_auditor=users["staff"],
            system_processes=["leadership"],
        )
    db.session.commit()


register_samples(add_audits, audit_id=lambda world, side: world[side]["audit"].id)
# The audit's team (staff) records its findings; everyone else is refused with the reason.
for _role in ("administrator", "quality_officer", "leader"):
    MAY_REFUSE[("api.record_audit_finding", _role)] = "only the audit's team records its findings"


# --- evidence packs ----------------------------------------------------------------------------------


def add_evidence_packs(world):
    """Per commune, an evidence pack of the procedure (asked for by the quality officer and built now),
    so that its page, progress and download have a pack to show."""
    from qms.evidence.models import SubjectKind
    from qms.evidence.runs import run_pack
    from qms.evidence.services import request_pack

    for side in ("a", "b"):
        pack = request_pack(
            world[side]["users"]["quality_officer"], SubjectKind.document, world[side]["procedure"].code
        )
        db.session.commit()
        world[side]["evidence_pack"] = run_pack(pack.id)


register_samples(add_evidence_packs, pack_id=lambda world, side: world[side]["evidence_pack"].id)
# A pack made through the API is recorded, as a download of a controlled copy is.
for _endpoint in ("api.document_evidence_pack", "api.nonconformity_evidence_pack", "api.audit_evidence_pack"):
    AUDITED_READS[_endpoint] = {"evidence_pack.created"}


# --- the internal-audit pages ----------------------------------------------------------------------------


def add_audit_pages(world):
    """Per commune, beside add_audits' planned audit: a second audit of the same programme (the internal
    audit process, led by staff), its programme approved, its plan signed and approved, started (its
    checklist taken from the library, which the commune's rows now hold), one question answered as an
    observation (a finding to decide on) with an evidence file."""
    import datetime as dt

    from qms.audits import services as audits
    from qms.audits.models import RecordKind
    from tests.conftest import PASSWORD
    from tests.files.samples import docx_bytes

    for side in ("a", "b"):
        users = world[side]["users"]
        qo, staff, leader = users["quality_officer"], users["staff"], users["leader"]
        programme = world[side]["audit"].programme
        audit = audits.add_audit(
            qo,
            programme,
            title="Đánh giá quá trình đánh giá nội bộ",
            clauses=["9.2"],
            planned_start=dt.date(2026, 6, 1),
            planned_end=dt.date(2026, 6, 2),
            lead_auditor=staff,
            system_processes=["monitoring"],
        )
        audits.approve_programme(leader, programme, PASSWORD)
        audits.sign_plan(staff, audit, PASSWORD)
        audits.approve_plan(leader, audit, PASSWORD)
        audits.start_audit(staff, audit)
        item = audit.items[0]
        audits.answer_item(staff, item, result="observation", notes="Chưa lưu biên bản họp đoàn đánh giá")
        attachment = audits.attach_evidence(staff, item, filename="bien-ban.docx", data=docx_bytes("Biên bản"))
        world[side].update(
            conducted_audit=audit,
            audit_item=item,
            audit_finding=item.finding,
            audit_attachment=attachment,
            audit_record=audits.latest_record(audit, RecordKind.plan),
        )
    db.session.commit()


def _conducted(world, side):
    return world[side]["conducted_audit"].id


register_samples(
    add_audit_pages,
    finding_id=lambda world, side: world[side]["audit_finding"].id,
    checklist_item_id=lambda world, side: world[side]["audit_item"].id,
    audit_attachment_id=lambda world, side: world[side]["audit_attachment"].id,
    audit_record_id=lambda world, side: world[side]["audit_record"].id,
    question_key=lambda world, side: "9.2-01",
    endpoints={
        f"audits.{endpoint}": {"audit_id": _conducted}
        for endpoint in (
            "decide_finding",
            "answer_item",
            "attach_evidence",
            "remove_item",
            "download_attachment",
            "download_record",
        )
    },
)
# A question of the library is named by its key, the same in every commune's library (each reads and
# changes its own): not a record of one commune.
NOT_RECORDS |= {"question_key"}
# Object-level rules of the audit pages: the team (staff leads both audits) records findings, fills
# the checklist and, as lead auditor, signs the plan and the report; the quality officer or the lead
# auditor starts and closes the audit; the quality officer or the team prepares the checklist.
for _role in ("administrator", "quality_officer", "leader"):
    for _endpoint in ("record_finding", "sign_plan", "write_report", "sign_report", "answer_item", "attach_evidence"):
        MAY_REFUSE[(f"audits.{_endpoint}", _role)] = "only the audit's team (its lead auditor) does this"
for _role in ("administrator", "leader"):
    for _endpoint in ("start_audit", "close_audit", "set_checklist", "add_own_question", "remove_item"):
        MAY_REFUSE[(f"audits.{_endpoint}", _role)] = "only the quality officer or the audit's team does this"


# --- the import of a document system -----------------------------------------------------------


def add_document_imports(world):
    """Per commune, an import of the document system started by the quality officer and checked (its
    dry run ready, one row to create, waiting for the confirmation), so that its page, progress and
    confirmation have a record to act on."""
    import io
    import zipfile

    from qms.documents.imports import runs
    from qms.documents.imports.files import ZipFiles
    from qms.documents.imports.services import start_run
    from tests.files.samples import docx_bytes

    list_data = (
        "Mã hiệu,Tên tài liệu,Loại tài liệu,Lần ban hành,Ngày hiệu lực,Tên tệp\n"
        "QT-90,Quy trình mẫu,Quy trình,01,01/01/2024,QT-90.docx\n"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("QT-90.docx", docx_bytes("Quy trình mẫu"))
    for side in ("a", "b"):
        run = start_run(
            world[side]["users"]["quality_officer"],
            world[side]["commune"],
            list_name="danh-muc.csv",
            list_data=list_data,
            files=ZipFiles("tep.zip", io.BytesIO(out.getvalue())),
            files_data=out.getvalue(),
        )
        db.session.commit()
        runs.check(run.id)
        world[side]["document_import"] = run
    db.session.commit()


register_samples(
    add_document_imports,
    endpoints={
        endpoint: {"import_id": lambda world, side: world[side]["document_import"].id}
        for endpoint in ("documents.show_import", "documents.import_progress", "documents.confirm_import")
    },
)
