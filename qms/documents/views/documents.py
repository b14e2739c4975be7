"""A document's pages: registering it, its page, its details and distribution, withdrawing it, and
the controlled copy of the version in force."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.auth.forms import role_choices, unit_choices
from qms.auth.models import QUALITY_OFFICER, Unit, User
from qms.core.access import SIGNED_IN, allow, get_in_commune
from qms.core.forms import field_error
from qms.db import DomainError, settle
from qms.documents import forms as f
from qms.documents import permissions as perm
from qms.documents import queries, services
from qms.documents.models import Document, DocumentKind
from qms.documents.settings import code_example, document_settings
from qms.documents.views import actor, bp, document_or_404, send, unit_choices_with


def _fill_document_choices(form, document=None):
    commune_id = current_user.commune_id
    form.owning_unit.choices = unit_choices_with("—")
    form.owner.choices = [SelectChoice(0, "—")] + [
        SelectChoice(u.id, u.full_name) for u in queries.active_people(commune_id)
    ]
    form.parent.choices = [SelectChoice(0, "—")] + [
        SelectChoice(d.id, f"{d.code} {d.title}")
        for d in queries.procedures(commune_id)
        if document is None or d.id != document.id
    ]
    form.legal_bases.choices = [
        SelectChoice(d.id, f"{d.code} · {d.number} {d.title}") for d in queries.external_documents(commune_id)
    ]


def _pick(model, object_id):
    return get_in_commune(model, object_id) if object_id else None


def _document_values(form, kind):
    """The form's references as objects of the user's commune (404 for a forged id). The page hides
    the fields that do not apply to the kind (a procedure's parent, an internal document's issuer), so
    what they still hold from an earlier choice of kind is not the user's intent and is left out."""
    external = kind is DocumentKind.external
    belongs = kind in (DocumentKind.form, DocumentKind.instruction)
    return dict(
        title=form.title.data,
        field=form.field.data or "",
        owning_unit=_pick(Unit, form.owning_unit.data),
        owner=_pick(User, form.owner.data),
        parent=_pick(Document, form.parent.data) if belongs else None,
        retention_years=form.retention_years.data,
        access=form.access.data,
        legal_bases=[] if external else [get_in_commune(Document, i) for i in form.legal_bases.data or []],
        issuer=(form.issuer.data or "") if external else "",
        number=(form.number.data or "") if external else "",
        issued_on=form.issued_on.data if external else None,
        effective_on=form.effective_on.data if external else None,
        legal_status=(form.legal_status.data or None) if external else None,
    )


def _show_document_error(form, exc):
    """Put a refusal of the document services under the field it is about (the title otherwise)."""
    fields = {"invalid_code": "code", "taken": "code", "parent_required": "parent", "external_required": "number"}
    field_error(getattr(form, fields.get(exc.code, "title"), None) or form.title, exc)


@bp.route("/new", methods=["GET", "POST"])
@allow(QUALITY_OFFICER)
def create_document():
    form = f.DocumentForm()
    _fill_document_choices(form)
    settings = document_settings(current_user.commune)
    if request.method == "GET":
        form.kind.data = request.args.get("kind", DocumentKind.procedure.value)
        form.parent.data = request.args.get("parent", 0, type=int)
        form.review_interval_months.data = settings.review_interval_months
    if form.validate_on_submit():
        try:
            document = services.create_document(
                actor(),
                current_user.commune,
                code=form.code.data,
                kind=form.kind.data,
                review_interval_months=form.review_interval_months.data,
                **_document_values(form, DocumentKind(form.kind.data)),
            )
        except DomainError as exc:
            settle(exc)
            _show_document_error(form, exc)
        else:
            flash(_("The document %(code)s has been registered.", code=document.code), "success")
            return redirect(url_for("documents.show_document", document_id=document.id), 303)
    examples = {kind.value: code_example(current_user.commune, settings, kind).sentence for kind in DocumentKind}
    return render_template(
        "documents/document_form.html", form=form, document=None, settings=settings, code_examples=examples
    ), 400 if form.errors else 200


@bp.get("/<int:document_id>")
@allow(SIGNED_IN)
def show_document(document_id):
    document = document_or_404(document_id)
    return _document_page(document)


def _document_page(document, *, withdraw_form=None, status=200):
    user = current_user
    history = perm.can_see_history(user, document)
    versions = document.versions if history else [v for v in document.versions if perm.can_view_version(user, v)]
    children = [c for c in document.children if perm.can_view_document(user, c)]
    based_on_this = [d for d in document.based_on_this if perm.can_view_document(user, d)]
    requests = (
        queries.change_requests_of(document)
        if history
        else [r for r in queries.change_requests_of(document) if r.requested_by_id == user.id]
    )
    return render_template(
        "documents/document.html",
        document=document,
        versions=versions,
        children=children,
        based_on_this=based_on_this,
        change_requests=requests,
        current=services.current_version(document),
        pending=services.pending_version(document),
        withdraw_form=withdraw_form or f.WithdrawForm(),
        decision_form=f.DecisionForm(),
        history=history,
    ), status


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
@allow(QUALITY_OFFICER)
def edit_document(document_id):
    document = document_or_404(document_id)
    if not perm.can_edit_document(current_user, document):
        abort(403)
    form = f.EditDocumentForm(obj=document) if request.method == "GET" else f.EditDocumentForm()
    _fill_document_choices(form, document)
    if request.method == "GET":
        form.owning_unit.data = document.owning_unit_id or 0
        form.owner.data = document.owner_id or 0
        form.parent.data = document.parent_id or 0
        form.legal_bases.data = [d.id for d in document.legal_bases]
        form.access.data = document.access.value
        form.legal_status.data = document.legal_status.value if document.legal_status else ""
    if form.validate_on_submit():
        try:
            changes = services.update_document(
                actor(),
                document,
                reason=form.reason.data or "",
                review_interval_months=form.review_interval_months.data or document.review_interval_months,
                **_document_values(form, document.kind),
            )
        except DomainError as exc:
            settle(exc)
            _show_document_error(form, exc)
        else:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("documents.show_document", document_id=document.id), 303)
    distribution_form = f.DistributionForm(
        units=[d.unit_id for d in document.distributions if d.unit_id],
        roles=sorted({d.role.code for d in document.distributions if d.role}),
        combine=any(d.unit_id and d.role_id for d in document.distributions),
    )
    _fill_distribution_choices(distribution_form)
    return render_template(
        "documents/document_form.html", form=form, document=document, distribution_form=distribution_form
    ), 400 if form.errors else 200


def _fill_distribution_choices(form):
    form.units.choices, form.roles.choices = unit_choices(), role_choices()


@bp.post("/<int:document_id>/distribution")
@allow(QUALITY_OFFICER)
def set_distribution(document_id):
    document = document_or_404(document_id)
    if not perm.can_manage_distribution(current_user, document):
        abort(403)
    form = f.DistributionForm()
    _fill_distribution_choices(form)
    if not form.validate_on_submit():
        flash(_("Choose units and roles from the lists."), "danger")
        return redirect(url_for("documents.edit_document", document_id=document.id), 303)
    units = [get_in_commune(Unit, i) for i in form.units.data or []]
    roles = form.roles.data or []
    if form.combine.data and units and roles:
        targets = [(u, r) for u in units for r in roles]
    else:
        targets = [(u, None) for u in units] + [(None, r) for r in roles]
    services.set_distribution(actor(), document, targets)
    flash(_("The distribution has been saved."), "success")
    return redirect(url_for("documents.show_document", document_id=document.id), 303)


@bp.post("/<int:document_id>/withdraw")
@allow(SIGNED_IN)
def withdraw_document(document_id):
    document = document_or_404(document_id)
    if not perm.can_withdraw(current_user, document):
        abort(403)
    form = f.WithdrawForm()
    if not form.validate_on_submit():
        return _document_page(document, withdraw_form=form, status=400)
    try:
        services.withdraw_document(actor(), document, password=form.password.data, reason=form.reason.data)
    except DomainError as exc:
        settle(exc)
        form.password.errors = [str(exc.message)]
        return _document_page(document, withdraw_form=form, status=exc.status)
    flash(_("The document has been withdrawn."), "success")
    return redirect(url_for("documents.show_document", document_id=document.id), 303)


@bp.get("/<int:document_id>/current/download")
@allow(SIGNED_IN)
def download_current(document_id):
    document = document_or_404(document_id)
    version = services.current_version(document)
    if version is None or not perm.can_download(current_user, version):
        abort(404)
    return send(services.download_copy(actor(), version))
