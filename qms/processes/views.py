"""Pages of procedures (TTHC): the commune's list and a procedure's page with its drawn process,
for everyone of the commune; and the public catalogue a citizen reads without signing in (like
the feedback box: one per commune, chosen with ?commune=<code>), with the blank forms to take away
as public copies.

Views stay thin: they read what the queries give for the user's commune (another commune's
procedure is not found) and render it. Nothing here writes, but the record of a public form's
download (document control's service). The request's unit of work commits; views never commit.
"""

from io import BytesIO

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.audit.services import audit_context
from qms.core.access import allow, public
from qms.core.communes import public_commune
from qms.core.lists import Page, filter_args, page_number, page_of, read_filters
from qms.core.nav import register_nav
from qms.core.ratelimit import RateLimit
from qms.documents import services as documents
from qms.documents.labels import STATUS_LABELS as DOCUMENT_STATUS_LABELS
from qms.processes import forms, queries
from qms.processes import permissions as perm
from qms.processes.exports import BRANCH_WORDS, ONLINE_WORDS, allowance_words, limit_words
from qms.processes.queries import MapState

bp = Blueprint("processes", __name__)

STATE_LABELS = {
    MapState.in_force: _l("In force"),
    MapState.awaiting_approval: _l("New version awaiting approval"),
    MapState.superseded: _l("Superseded"),
}


def limit_brief(process) -> str:
    """The statutory limit in a few words, for a column of the list ("Trong ngày, nhận trước 15:00");
    the procedure's page says it whole (limit_words)."""
    if process.working_days:
        return f"{process.working_days} ngày làm việc"
    return f"Trong ngày, nhận trước {process.cutoff}" if process.cutoff else "Trong ngày"


@bp.context_processor
def _process_helpers():
    return {
        "process_perm": perm,
        "limit_words": limit_words,
        "limit_brief": limit_brief,
        "allowance_words": allowance_words,
        "online_words": ONLINE_WORDS,
        "branch_words": BRANCH_WORDS,
        "map_state_labels": STATE_LABELS,
        "doc_status_labels": DOCUMENT_STATUS_LABELS,
        "MapState": MapState,
    }


def _entry_or_404(code):
    entry = queries.procedure(current_user.commune_id, code)
    if entry is None or not perm.can_view(current_user, entry.procedure):
        abort(404)
    return entry


# --- the commune's procedures ---------------------------------------------------------------------


@bp.get("/procedures/")
@allow(*perm.READERS)
def list_procedures():
    commune_id = current_user.commune_id
    every = queries.procedures(commune_id)
    choices = [("", _l("All fields"))] + [(name, name) for name in queries.fields(every)]
    form = read_filters(forms.ProcedureFilterForm, request.args, choices={"field": choices})
    if form.errors:
        return render_template("processes/list.html", form=form, page=Page(items=[], total=0)), 400
    found = queries.chosen(every, q=form.q.data or "", field=form.field.data or "")
    page = page_of(found, page=page_number(request.args))
    page.args = filter_args(form)
    return render_template("processes/list.html", form=form, page=page, all_count=len(every))


@bp.get("/procedures/<code>")
@allow(*perm.READERS)
def show_procedure(code):
    entry = _entry_or_404(code)
    process = entry.process
    by_code = queries.documents_by_code(entry.procedure.commune_id, [*process.legal_bases, *process.form_codes()])
    from qms.processes import diagram  # Pillow and the fonts: loaded by the pages that draw only

    return render_template(
        "processes/procedure.html",
        entry=entry,
        process=process,
        by_code=by_code,
        diagram_svg=_inline(diagram.svg(process)),
        importers=queries.people(m.imported_by_id for m in entry.maps),
        versions={m.id: entry.version_of(m) for m in entry.maps},
    )


def _inline(svg):
    """A standalone SVG document as an element of the page: without its XML declaration."""
    return svg.split("?>", 1)[1].lstrip() if svg.startswith("<?xml") else svg


def _diagram_name(entry, extension):
    return f"{entry.document.code}_{entry.code}.{extension}"


@bp.get("/procedures/<code>/diagram.svg")
@allow(*perm.READERS)
def diagram_svg(code):
    from qms.processes import diagram

    entry = _entry_or_404(code)
    data = diagram.svg(entry.process).encode("utf-8")
    return _send(data, "image/svg+xml", _diagram_name(entry, "svg"))


@bp.get("/procedures/<code>/diagram.png")
@allow(*perm.READERS)
def diagram_png(code):
    from qms.processes import diagram

    entry = _entry_or_404(code)
    return _send(diagram.png(entry.process), "image/png", _diagram_name(entry, "png"))


def _send(data, media_type, filename):
    return send_file(BytesIO(data), mimetype=media_type, as_attachment=True, download_name=filename, max_age=0)


# --- the public catalogue ---------------------------------------------------------------------------


def _public_entry(code):
    """(commune, entry) of a procedure whose process is in force; 404 otherwise. Without a commune
    chosen (several on the installation), the reader is sent to choose one."""
    commune, _communes = public_commune(own_first=True)
    if commune is None:
        abort(redirect(url_for("processes.public_catalogue")))
    entry = queries.procedure(commune.id, code)
    if entry is None or entry.in_force is None:
        abort(404)
    return commune, entry


@bp.get("/thu-tuc")
@public
def public_catalogue():
    commune, communes = public_commune(own_first=True)
    if commune is None:
        return render_template("processes/public_choose.html", communes=communes)
    form = read_filters(forms.CatalogueSearchForm, request.args)
    form.commune.data = commune.code  # a search stays in the commune shown
    q = (form.q.data or "").strip() if not form.errors else ""
    found = queries.procedures(commune.id, q=q, in_force_only=True)
    groups = {}
    for entry in found:
        groups.setdefault(entry.in_force.process.field, []).append(entry)
    return render_template(
        "processes/public_list.html", form=form, q=q, commune=commune, commune_name=commune.name, groups=groups
    ), (400 if form.errors else 200)


@bp.get("/thu-tuc/<code>")
@public
def public_procedure(code):
    commune, entry = _public_entry(code)
    process = entry.in_force.process
    bases = queries.documents_by_code(commune.id, process.legal_bases)
    return render_template(
        "processes/public_procedure.html",
        commune=commune,
        commune_name=commune.name,
        entry=entry,
        process=process,
        legal_bases=[(code, bases.get(code)) for code in process.legal_bases],
        published=queries.published_forms(commune.id, process.forms),
    )


PUBLIC_DOWNLOADS = RateLimit(
    "public_download",
    "QMS_PUBLIC_DOWNLOADS_PER_HOUR",
    lambda n: _l(
        "Too many forms have been downloaded from this connection in the last hour (at most %(n)d). "
        "Please try again later, or ask for the form at the one-stop shop.",
        n=n,
    ),
)


@bp.get("/thu-tuc/<code>/bieu-mau/<form_code>")
@public
def public_form(code, form_code):
    """A blank form of the procedure, stamped as a public copy. Its download is recorded without
    the reader's address (a citizen's address is personal data, as the feedback box has it), at
    most QMS_PUBLIC_DOWNLOADS_PER_HOUR an hour from one address (each is an audit event)."""
    PUBLIC_DOWNLOADS.check(PUBLIC_DOWNLOADS.note(request.remote_addr))
    commune, entry = _public_entry(code)
    if form_code not in entry.in_force.process.forms:
        abort(404)
    found = queries.published_forms(commune.id, [form_code])
    if not found:
        abort(404)
    _document, version = found[0]
    with audit_context(ip="", request_id=g.get("request_id", "")):
        download = documents.download_public_copy(version)
    return _send(download.data, download.media_type, download.filename)


register_nav("processes.list_procedures", _l("Administrative procedures"), order=27)
