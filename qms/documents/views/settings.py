"""The commune's rules of document control: code formats, who reviews and approves each kind, the
review interval."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qms.auth.forms import role_choices
from qms.auth.models import ADMINISTRATOR, QUALITY_OFFICER
from qms.core.access import allow
from qms.db import DomainError
from qms.documents import forms as f
from qms.documents.models import DocumentKind
from qms.documents.settings import CONTROLLED_KINDS, document_settings, update_document_settings
from qms.documents.views import actor, bp
from qms.files.services import max_upload_mb


@bp.route("/settings", methods=["GET", "POST"])
@allow(QUALITY_OFFICER, ADMINISTRATOR)
def edit_settings():
    commune = current_user.commune
    current = document_settings(commune)
    form_class = f.settings_form_class(list(DocumentKind), CONTROLLED_KINDS)
    if request.method == "GET":
        values = {
            "allow_same_reviewer_approver": current.allow_same_reviewer_approver,
            "review_interval_months": current.review_interval_months,
        }
        for kind in DocumentKind:
            values[f"pattern_{kind.value}"] = current.code_pattern(kind)
        for kind in CONTROLLED_KINDS:
            values[f"reviewers_{kind.value}"] = sorted(current.reviewers_for(kind))
            values[f"approvers_{kind.value}"] = sorted(current.approvers_for(kind))
        form = form_class(data=values)
    else:
        form = form_class()
    roles = role_choices()
    for kind in CONTROLLED_KINDS:
        getattr(form, f"reviewers_{kind.value}").choices = roles
        getattr(form, f"approvers_{kind.value}").choices = roles
    if form.validate_on_submit():
        try:
            changes = update_document_settings(
                actor(),
                commune,
                reason=form.reason.data or "",
                code_patterns={k.value: getattr(form, f"pattern_{k.value}").data for k in DocumentKind},
                reviewer_roles={k.value: getattr(form, f"reviewers_{k.value}").data for k in CONTROLLED_KINDS},
                approver_roles={k.value: getattr(form, f"approvers_{k.value}").data for k in CONTROLLED_KINDS},
                allow_same_reviewer_approver=form.allow_same_reviewer_approver.data,
                review_interval_months=form.review_interval_months.data,
            )
        except DomainError as exc:
            flash(str(exc.message), "danger")
        else:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("documents.edit_settings"), 303)
        return _settings_page(form, 400)
    return _settings_page(form, 400 if form.errors else 200)


def _settings_page(form, status):
    return render_template(
        "documents/settings.html",
        form=form,
        kinds=list(DocumentKind),
        controlled_kinds=CONTROLLED_KINDS,
        max_mb=max_upload_mb(),
    ), status
