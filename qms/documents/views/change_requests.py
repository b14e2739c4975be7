"""Change requests: proposing a change to a document in force, the list, and the quality officer's
decision (accept: a new draft; decline: with a reason)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.auth.models import QUALITY_OFFICER
from qms.core.access import SIGNED_IN, allow, get_in_commune
from qms.db import DomainError
from qms.documents import forms as f
from qms.documents import permissions as perm
from qms.documents import queries, services
from qms.documents.models import ChangeRequest
from qms.documents.views import actor, bp, document_or_404


@bp.get("/change-requests")
@allow(SIGNED_IN)
def list_change_requests():
    status = request.args.get("status") or None
    if status not in (None, "open", "accepted", "declined"):
        abort(400)
    return render_template(
        "documents/change_requests.html",
        requests=queries.change_requests_for(current_user, status=status),
        status=status,
        decision_form=f.DecisionForm(),
    )


@bp.route("/<int:document_id>/change-requests/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def propose_change(document_id):
    document = document_or_404(document_id)
    refusal = perm.propose_refusal(current_user, document)
    if refusal is not None:
        abort(403)
    form = f.ChangeRequestForm()
    if form.validate_on_submit():
        services.propose_change(actor(), document, what=form.what.data, why=form.why.data)
        flash(_("Your request has been sent to the quality officer."), "success")
        return redirect(url_for("documents.show_document", document_id=document.id), 303)
    return render_template(
        "documents/change_request_form.html", form=form, document=document
    ), 400 if form.errors else 200


def _decide(request_id, decide, done):
    change_request = get_in_commune(ChangeRequest, request_id)
    if not perm.can_see_change_request(current_user, change_request):
        abort(404)
    if not perm.can_decide_change(current_user, change_request):
        abort(403)
    form = f.DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        target = decide(change_request, form.reason.data or "")
    except DomainError as exc:
        flash(str(exc.message), "danger")
        return redirect(url_for("documents.show_document", document_id=change_request.document_id), 303)
    flash(str(done), "success")
    return redirect(target, 303)


@bp.post("/change-requests/<int:request_id>/accept")
@allow(QUALITY_OFFICER)
def accept_change_request(request_id):
    def decide(change_request, reason):
        draft = services.accept_change_request(actor(), change_request, comment=reason)
        return url_for("documents.show_version", version_id=draft.id)

    return _decide(request_id, decide, _l("Request accepted: edit the draft, then submit it for review."))


@bp.post("/change-requests/<int:request_id>/decline")
@allow(QUALITY_OFFICER)
def decline_change_request(request_id):
    def decide(change_request, reason):
        services.decline_change_request(actor(), change_request, reason=reason)
        return url_for("documents.show_document", document_id=change_request.document_id)

    return _decide(request_id, decide, _l("The request has been declined."))
