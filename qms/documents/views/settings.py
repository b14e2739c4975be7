"""The commune's rules of document control: code formats, who reviews and approves each kind, the
review interval; and the live example of the next code while a format is typed."""

import dataclasses
import re

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qms.auth.forms import role_choices
from qms.auth.models import ADMINISTRATOR, QUALITY_OFFICER
from qms.core.access import allow
from qms.core.codes import parse
from qms.db import DomainError
from qms.documents import forms as f
from qms.documents.models import DocumentKind
from qms.documents.settings import (
    CONTROLLED_KINDS,
    code_example,
    document_settings,
    update_document_settings,
)
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
            values[f"format_{kind.value}"] = current.code_format(kind)
            values[f"regex_{kind.value}"] = current.code_regex(kind)
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
                code_formats={k.value: getattr(form, f"format_{k.value}").data for k in DocumentKind},
                code_regexes={k.value: getattr(form, f"regex_{k.value}").data for k in DocumentKind},
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


@bp.route("/settings/code-example")
@allow(QUALITY_OFFICER, ADMINISTRATOR)
def code_example_of():
    """JSON for the settings page: the next code under a format (or regular expression) being typed,
    before it is saved. 400 with the reason when the format cannot be read."""
    try:
        kind = DocumentKind(request.args.get("kind", ""))
    except ValueError:
        return jsonify(error=_("Unknown kind of document.")), 400
    written = (request.args.get("format") or "").strip()
    regex = (request.args.get("regex") or "").strip()
    current = document_settings(current_user.commune)
    try:
        parse(written)
        if len(regex) > 200:
            raise DomainError(_("The regular expression is too long."))
        re.compile(regex)
    except DomainError as exc:
        return jsonify(kind=kind.value, error=str(exc.message)), 400
    except re.error:
        return jsonify(kind=kind.value, error=_("This is not a valid regular expression.")), 400
    candidate = dataclasses.replace(
        current,
        code_formats={**current.code_formats, kind.value: written},
        code_regexes={**current.code_regexes, kind.value: regex},
    )
    example = code_example(current_user.commune, candidate, kind)
    return jsonify(kind=kind.value, next_code=example.next_code, text=example.sentence)


def _settings_page(form, status):
    commune = current_user.commune
    settings = document_settings(commune)
    examples = {kind.value: code_example(commune, settings, kind).sentence for kind in DocumentKind}
    return render_template(
        "documents/settings.html",
        form=form,
        kinds=list(DocumentKind),
        controlled_kinds=CONTROLLED_KINDS,
        max_mb=max_upload_mb(),
        examples=examples,
    ), status
