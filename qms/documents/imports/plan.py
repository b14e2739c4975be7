"""What each row of a master list would become (the dry run), before anything is written.

A row becomes a new document, the next version of a document already here (its issue number is
higher than the one in force, which it supersedes), or nothing (the document is already in force at
that issue with that very file: running the import again changes nothing); or it is refused, with
every problem found (row, column, reason in the reader's language). A row is refused when:
- a cell cannot be read (kind, issue number, dates, legal status) or a required one is empty;
- its code does not follow the commune's format for its kind (a form's code names another
  procedure than the one it belongs to), or repeats an earlier row's;
- a form or instruction belongs to a procedure that is neither in the list nor in the commune, or
  whose own row is refused; its unit is not one of the commune's;
- its file is not in the folder (or two files answer to it), or fails the checks of any upload;
- the document here is withdrawn, of another kind, has a version in progress, or is already at
  that issue (with another file) or a higher one.
The files of the folder that no row names are reported too.
"""

import dataclasses
import functools
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qms.auth.models import Unit
from qms.core.calendar import format_date
from qms.core.fill import template_refusal
from qms.core.sheets import CellError, FileRefused, read_date, read_text
from qms.core.text import fold
from qms.db import DomainError, db
from qms.documents import permissions as perm
from qms.documents.imports.lists import procedure_in_note, read_issue_no, read_kind, read_legal_status
from qms.documents.models import Document, DocumentKind, DocumentStatus, LegalStatus, VersionStatus
from qms.documents.settings import CODE_CHARSET, CODE_MAX, document_settings
from qms.files.batch import judge_uploads
from qms.files.services import max_upload_bytes
from qms.files.storage import sha256_of
from qms.files.uploads import refusal_message

CREATE, NEXT_VERSION, UNCHANGED, REFUSED = "create", "next_version", "unchanged", "refused"
# The order rows are written in: a procedure before the forms and instructions that belong to it.
_WRITE_ORDER = {
    DocumentKind.policy: 0,
    DocumentKind.internal: 1,
    DocumentKind.external: 2,
    DocumentKind.procedure: 3,
    DocumentKind.instruction: 4,
    DocumentKind.form: 5,
}
# Kinds whose code says which kind they are when the list has no kind column (external: any code).
_INFERRED_KINDS = tuple(k for k in DocumentKind if k is not DocumentKind.external)


def code_of_number(number) -> str:
    """The code a document of external origin gets from its number when the list gives no code
    (qms's own list of external documents): "60/2014/QH13" -> "60-2014-QH13" (a code has no
    slashes: it names files and pages). Its file is then named after that code."""
    return re.sub(r"[^\w.\-]+", "-", number).strip("-._")


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the list or the folder as a whole
    column: str  # the column's header as the list writes it ("" for the row or the file set)
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": str(self.message)}


@dataclass
class RowPlan:
    row: int
    code: str = ""
    title: str = ""
    kind: DocumentKind | None = None
    issue_no: int = 1
    issued_on: object = None
    effective_on: object = None
    unit_id: int | None = None
    unit_name: str = ""
    procedure_code: str = ""
    field: str = ""
    number: str = ""
    issuer: str = ""
    legal_status: LegalStatus | None = None
    drafted_by: str = ""
    reviewed_by: str = ""
    approved_by: str = ""
    file_path: str = ""  # the file in the folder
    sha256: str = ""
    document_id: int | None = None  # the document already here
    current_issue: int | None = None  # its issue in force
    action: str = CREATE
    problems: list = dataclasses.field(default_factory=list)

    @property
    def good(self) -> bool:
        return self.action != REFUSED

    def refuse(self, column, message):
        self.problems.append(Problem(self.row, column, message))
        self.action = REFUSED

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "code": self.code,
            "title": self.title,
            "kind": self.kind.value if self.kind else None,
            "issue_no": self.issue_no,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "effective_on": self.effective_on.isoformat() if self.effective_on else None,
            "unit": self.unit_name,
            "procedure": self.procedure_code,
            "file": self.file_path,
            "sha256": self.sha256,
            "current_issue": self.current_issue,
            "action": self.action,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class Plan:
    list_name: str
    rows: list = dataclasses.field(default_factory=list)  # RowPlan, in the list's order
    unlisted_files: list = dataclasses.field(default_factory=list)  # paths no row names
    ignored_columns: list = dataclasses.field(default_factory=list)

    def count(self, action) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict:
        return {a: self.count(a) for a in (CREATE, NEXT_VERSION, UNCHANGED, REFUSED)}

    @property
    def to_write(self) -> list:
        """The rows that change something, in the order they are written."""
        good = [r for r in self.rows if r.action in (CREATE, NEXT_VERSION)]
        return sorted(good, key=lambda r: (_WRITE_ORDER[r.kind], r.row))

    @property
    def problems(self) -> list:
        return [p for r in self.rows for p in r.problems]

    def as_dict(self) -> dict:
        return {
            "list": self.list_name,
            "counts": self.counts,
            "rows": [r.as_dict() for r in self.rows],
            "unlisted_files": list(self.unlisted_files),
            "ignored_columns": list(self.ignored_columns),
        }


def plan_import(actor, commune, listed, files, *, on_progress=None) -> Plan:
    """The plan of `listed` (lists.MasterList) with `files` (files.FileSet) for `commune`, as
    `actor` would import it. Reads every file the list names (and checks it as an upload) but
    writes nothing. on_progress(done, total) is called as the files are checked."""
    if not perm.can_create_document(actor) or actor.commune_id != commune.id:
        raise DomainError(_l("Only a quality officer can import documents."), code="forbidden", status=403)
    context = _Context(commune, listed, files)
    plan = Plan(list_name=listed.name, ignored_columns=list(listed.ignored))
    for number, values in listed.rows:
        plan.rows.append(context.read_row(number, values))
    context.check_codes(plan.rows)
    context.check_procedures(plan.rows)
    context.check_existing(plan.rows)
    context.check_files(plan.rows, on_progress)
    named = {row.file_path for row in plan.rows if row.file_path}
    plan.unlisted_files = [e.path for e in files.entries if e.path not in named]
    return plan


class _Context:
    def __init__(self, commune, listed, files):
        self.commune = commune
        self.listed = listed
        self.files = files
        self.settings = document_settings(commune)
        units = db.session.scalars(select(Unit).where(Unit.commune_id == commune.id, Unit.is_active.is_(True))).all()
        self.units = {}
        for unit in units:
            self.units.setdefault(fold(unit.name), unit)
            self.units.setdefault(fold(unit.code), unit)
        self.documents = {
            d.code: d
            for d in db.session.scalars(
                select(Document).where(Document.commune_id == commune.id).options(selectinload(Document.versions))
            )
        }
        self.limit = max_upload_bytes()

    def column(self, key):
        return self.listed.column_name(key)

    # --- one row's cells -----------------------------------------------------------------------------

    def read_row(self, number, values) -> RowPlan:
        row = RowPlan(row=number)
        listed = self.listed

        def cell(key, reader, default=None):
            try:
                value = reader(values.get(key))
            except CellError as exc:
                row.refuse(self.column(key), exc.message)
                return default
            return default if value is None else value

        row.title = read_text(values.get("title"))[:500]
        row.number = read_text(values.get("number"))[:100]
        row.code = read_text(values.get("code")) or (code_of_number(row.number) if listed.external else "")
        row.kind = cell("kind", read_kind)
        if row.kind is None and listed.external and not row.problems:
            row.kind = DocumentKind.external
        row.issue_no = cell("issue_no", read_issue_no, 1)
        row.issued_on = cell("issued_on", read_date)
        row.effective_on = cell("effective_on", read_date)
        row.legal_status = cell("legal_status", read_legal_status)
        row.issuer = read_text(values.get("issuer"))[:300]
        row.field = read_text(values.get("field"))[:120]
        row.drafted_by = read_text(values.get("drafted_by"))[:200]
        row.reviewed_by = read_text(values.get("reviewed_by"))[:200]
        row.approved_by = read_text(values.get("approved_by"))[:200]
        row.procedure_code = read_text(values.get("procedure")) or procedure_in_note(values.get("note"))
        file_cell = read_text(values.get("file"))

        if not row.code:
            row.refuse(self.column("code"), _l("Enter the document's code."))
        elif len(row.code) > CODE_MAX or not CODE_CHARSET.fullmatch(row.code):
            row.refuse(
                self.column("code"),
                _l("A code has letters, digits, dots and dashes, without spaces (for example QT-01)."),
            )
        if not row.title:
            row.refuse(self.column("title"), _l("Enter the title."))
        if row.kind is None and row.code and not any(p.column == self.column("kind") for p in row.problems):
            row.kind = self._kind_from_code(row)
        if row.issued_on is None:
            row.issued_on = row.effective_on
        if row.effective_on is None:
            row.effective_on = row.issued_on
        dates_read = not any(p.column in (self.column("issued_on"), self.column("effective_on")) for p in row.problems)
        if row.effective_on is None and dates_read:
            row.refuse(self.column("effective_on"), _l("Enter the effective date (dd/mm/yyyy)."))
        elif row.issued_on and row.effective_on < row.issued_on:
            row.refuse(
                self.column("effective_on"),
                _l("The effective date comes before the issue date (%(day)s).", day=format_date(row.issued_on)),
            )
        self._read_unit(row, values.get("unit"))
        if row.kind is DocumentKind.external:
            row.number = row.number or row.code
            row.legal_status = row.legal_status or LegalStatus.in_force
            if not row.issuer:
                row.refuse(self.column("issuer"), _l("A document of external origin needs its issuer."))
        elif row.kind is not None and row.kind not in (DocumentKind.form, DocumentKind.instruction):
            row.procedure_code = ""
        self._find_file(row, file_cell)
        return row

    def _kind_from_code(self, row):
        fitting = [k for k in _INFERRED_KINDS if self.settings.code_format(k) and self.settings.code_fits(k, row.code)]
        if len(fitting) == 1:
            return fitting[0]
        row.refuse(
            self.column("kind"),
            _l(
                "Write the kind of document: the code %(code)s does not tell it by this commune's code formats.",
                code=row.code,
            ),
        )
        return None

    def _read_unit(self, row, value):
        text = read_text(value)
        if not text:
            return
        unit = self.units.get(fold(text))
        if unit is None:
            row.refuse(
                self.column("unit"),
                _l(
                    "There is no unit %(unit)s in this commune: write a unit's name as the units page lists it.",
                    unit=text,
                ),
            )
            return
        row.unit_id, row.unit_name = unit.id, unit.name

    def _find_file(self, row, written):
        if written:
            found = self.files.find(written)
            missing = _l("The file %(name)s is not among the files.", name=written)
        elif row.code:
            found = self.files.find_by_code(row.code)
            missing = _l("No file is named after the code %(code)s, and the list names none.", code=row.code)
        else:
            return
        if len(found) > 1:
            row.refuse(
                self.column("file"),
                _l("Several files answer to this row: %(names)s. Write the file's path.", names=_names(found)),
            )
        elif not found:
            row.refuse(self.column("file"), missing)
        else:
            row.file_path = found[0].path

    # --- rows together ---------------------------------------------------------------------------------

    def check_codes(self, rows):
        first = {}
        for row in rows:
            if not row.code:
                continue
            key = row.code.casefold()
            if key in first:
                row.refuse(
                    self.column("code"),
                    _l("The code %(code)s is already in row %(row)d.", code=row.code, row=first[key]),
                )
                continue
            first[key] = row.row
            code_read = not any(p.column == self.column("code") for p in row.problems)
            if code_read and row.kind is not None and not self.settings.code_fits(row.kind, row.code):
                row.refuse(
                    self.column("code"),
                    _l(
                        "The code %(code)s does not follow this commune's format for this kind of document "
                        "(%(pattern)s).",
                        code=row.code,
                        pattern=self.settings.code_rule(row.kind),
                    ),
                )

    def check_procedures(self, rows):
        listed = {}
        for row in rows:
            if row.kind is DocumentKind.procedure and row.code:
                listed.setdefault(row.code, row)  # a repeated code's first row
        here = {c: d for c, d in self.documents.items() if d.kind is DocumentKind.procedure}
        for row in rows:
            if row.kind not in (DocumentKind.form, DocumentKind.instruction) or not row.good:
                continue
            if not row.procedure_code:
                row.procedure_code = self._procedure_from_code(row, list(listed) + list(here))
            if not row.procedure_code:
                if row.kind is DocumentKind.form:
                    row.refuse(
                        self.column("procedure"),
                        _l("A form belongs to a procedure: write the procedure's code in this column."),
                    )
                continue
            parent = listed.get(row.procedure_code)
            if parent is None and row.procedure_code not in here:
                row.refuse(
                    self.column("procedure"),
                    _l("There is no procedure %(code)s in the list or in this commune.", code=row.procedure_code),
                )
            elif parent is None and here[row.procedure_code].status is not DocumentStatus.active:
                row.refuse(
                    self.column("procedure"), _l("The procedure %(code)s is withdrawn.", code=row.procedure_code)
                )
            elif not self.settings.code_fits(row.kind, row.code, row.procedure_code):
                row.refuse(
                    self.column("code"),
                    _l(
                        "The code %(code)s names another procedure than the one it belongs to (%(procedure)s).",
                        code=row.code,
                        procedure=row.procedure_code,
                    ),
                )
        # a form whose procedure's row is refused cannot be written either
        for row in rows:
            parent = listed.get(row.procedure_code) if row.procedure_code else None
            if row.good and parent is not None and not parent.good:
                row.refuse(
                    self.column("procedure"),
                    _l("Its procedure %(code)s is refused in row %(row)d.", code=parent.code, row=parent.row),
                )

    def _procedure_from_code(self, row, codes):
        fitting = {c for c in codes if self.settings.code_fits(row.kind, row.code, c)}
        fitting = {c for c in fitting if c in row.code}  # any procedure fits a format without {QT}
        return fitting.pop() if len(fitting) == 1 else ""

    def check_existing(self, rows):
        for row in rows:
            document = self.documents.get(row.code)
            if document is None or not row.good:
                continue
            row.document_id = document.id
            effective = next((v for v in document.versions if v.status is VersionStatus.effective), None)
            row.current_issue = effective.issue_no if effective else None
            highest = max((v.issue_no for v in document.versions), default=0)
            code_column = self.column("code")
            if document.status is not DocumentStatus.active:
                row.refuse(code_column, _l("The document %(code)s is withdrawn.", code=row.code))
            elif document.kind is not row.kind:
                row.refuse(
                    self.column("kind"),
                    _l("The document %(code)s is already here as another kind of document.", code=row.code),
                )
            elif any(v.status in perm.PENDING for v in document.versions):
                row.refuse(
                    code_column,
                    _l("The document %(code)s has a version in progress: finish or return it first.", code=row.code),
                )
            elif effective is not None and effective.issue_no == row.issue_no:
                row.action = UNCHANGED  # the file decides (check_file)
            elif row.issue_no <= highest:
                row.refuse(
                    self.column("issue_no"),
                    _l(
                        "The document %(code)s is already at issue %(issue)02d: a row brings in a higher issue only.",
                        code=row.code,
                        issue=highest,
                    ),
                )
            else:
                row.action = NEXT_VERSION

    # --- the file ----------------------------------------------------------------------------------

    def check_files(self, rows, on_progress=None):
        """Each good row's file: its SHA-256 (a row in force at its issue must hold the very file in
        force), then the checks of any upload (qms.files.batch, over the CPUs) and, for a form's
        Word file, the placeholders of the areas that fill it in."""
        column = self.column("file")
        to_judge = []
        for row in rows:
            if not row.good:
                continue
            entry = self.files.entry(row.file_path)
            if entry.size > self.limit:
                row.refuse(column, _l("The file is larger than %(mb)d MB.", mb=self.limit // (1024 * 1024)))
                continue
            try:
                data = self.files.read(entry)
            except FileRefused as exc:
                row.refuse(column, exc.message)
                continue
            row.sha256 = sha256_of(data)
            if row.action == UNCHANGED:
                self._same_file(row)
                continue
            to_judge.append((row, entry))
        total = len(to_judge)
        refusals = judge_uploads(
            [(entry.name, functools.partial(self.files.read, entry)) for _row, entry in to_judge],
            controlled_copy=True,
            on_progress=(lambda done: on_progress(done, total)) if on_progress is not None else None,
        )
        for (row, entry), refused in zip(to_judge, refusals, strict=True):
            if refused is not None:
                row.refuse(column, refusal_message(refused))
            elif row.kind is DocumentKind.form and entry.name.lower().endswith(".docx"):
                refusal = template_refusal(self.commune, row.code, self.files.read(entry))
                if refusal:
                    row.refuse(column, refusal)

    def _same_file(self, row):
        effective = next(v for v in self.documents[row.code].versions if v.status is VersionStatus.effective)
        primary = effective.primary_file
        if primary is None or primary.sha256 != row.sha256:
            row.refuse(
                self.column("issue_no"),
                _l(
                    "Issue %(issue)02d of %(code)s is already in force with another file: give the new file "
                    "the next issue number.",
                    issue=row.issue_no,
                    code=row.code,
                ),
            )


def _names(entries):
    return ", ".join(e.path for e in entries[:3])
