"""Checklists: each commune's library of questions by ISO 9001 clause, and an audit's checklist.

A commune's library starts as a copy of the shipped one (qms.audits.library), made the first time the
library or a checklist is changed; until then it is read from the shipped file (current_questions).
The quality officer adds, revises and withdraws questions. A question no audit has used is revised in
place; once a checklist uses it, a revision writes its next version under the same key and the used
version stays as it was, so that a filled checklist still shows the question as it was asked.

An audit's checklist holds library questions of its clauses (at the version it took them) and its own
questions. The team gives each one a result, evidence notes and evidence files; a result other than
conform records a finding at once (qms.audits.services.findings: a major or minor one opens its NC).
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from qms.audit.services import record_event
from qms.audits import library
from qms.audits import permissions as perm
from qms.audits.models import (
    AuditAttachment,
    AuditChecklistItem,
    AuditQuestion,
    AuditStatus,
    ChecklistResult,
)
from qms.audits.services.common import (
    check_row_version,
    clause_in_scope,
    flush,
    require,
    required_text,
    text,
)
from qms.audits.services.findings import record_finding
from qms.auth.models import Commune
from qms.core.calendar import utcnow
from qms.db import DomainError, db, enum_choice
from qms.files.services import receive_upload

QUESTION_MAX = 2000
_NUMBER_ORDER = {number: i for i, number in enumerate(h.number for h in library.CLAUSES)}


def clause_order(number) -> tuple:
    """Sort key of a clause or sub-clause number in the standard's order (7.5 before 7.5.1 before 8)."""
    parts = str(number).split(".")
    base = ".".join(parts[:2])
    return (_NUMBER_ORDER.get(base, len(_NUMBER_ORDER)), [int(p) for p in parts[2:] if p.isdigit()])


# --- the library -------------------------------------------------------------------------------------


def _has_library(commune_id) -> bool:
    return db.session.scalar(select(exists().where(AuditQuestion.commune_id == commune_id)))


def _shipped_copies(commune_id) -> list:
    return [
        AuditQuestion(
            commune_id=commune_id,
            key=q.key,
            clause=q.clause,
            version=1,
            text=q.text,
            evidence=q.evidence,
            source=q.source,
            is_current=True,
            is_withdrawn=False,
        )
        for clause in library.load_library()
        for q in clause.questions
    ]


def _in_clauses(clause, clauses) -> bool:
    """A question's clause (7.5) is in a scope naming it, its section (7) or one of its sub-clauses."""
    if clauses is None:
        return True
    return any(clause == c or clause.split(".")[0] == c or c.startswith(clause + ".") for c in clauses)


def current_questions(commune_id, clauses=None) -> list:
    """The library's current questions (of `clauses` only, when given: numbers of sections or clauses),
    in the standard's order. A commune whose library was never changed reads the shipped one (rows not
    in the session)."""
    if _has_library(commune_id):
        found = db.session.scalars(
            select(AuditQuestion).where(
                AuditQuestion.commune_id == commune_id,
                AuditQuestion.is_current.is_(True),
                AuditQuestion.is_withdrawn.is_(False),
            )
        ).all()
    else:
        found = _shipped_copies(commune_id)
    chosen = [q for q in found if _in_clauses(q.clause, clauses)]
    return sorted(chosen, key=lambda q: (clause_order(q.clause), q.key))


def seed_library(actor, commune_id) -> int:
    """Copy the shipped library into the commune's, once; returns how many questions were copied."""
    if _has_library(commune_id):
        return 0
    questions = _shipped_copies(commune_id)
    db.session.add_all(questions)
    flush()
    record_event(
        actor,
        "audit_library.created",
        db.session.get(Commune, commune_id),
        changes={"questions": (None, len(questions))},
    )
    return len(questions)


def _is_used(question) -> bool:
    return db.session.scalar(select(exists().where(AuditChecklistItem.question_id == question.id)))


def _question_fields(clause_number, question_text, evidence, source):
    if clause_number not in _NUMBER_ORDER:
        raise DomainError(_l("Choose a clause of ISO 9001 from 4.1 to 10.3."), code="invalid_clause")
    question_text = required_text(question_text, _l("Write the question."), code="text_required", limit=QUESTION_MAX)
    return clause_number, question_text, text(evidence), text(source)


def add_question(actor, commune_id, *, clause, text, evidence="", source=""):
    """The quality officer adds a question to the library under a clause; its key continues the
    clause's numbering (7.5-07)."""
    require(perm.library_refusal(actor, commune_id))
    clause, question_text, evidence, source = _question_fields((clause or "").strip(), text, evidence, source)
    seed_library(actor, commune_id)
    keys = db.session.scalars(
        select(AuditQuestion.key).where(AuditQuestion.commune_id == commune_id, AuditQuestion.clause == clause)
    ).all()
    numbers = [int(k.rsplit("-", 1)[1]) for k in keys if k.rsplit("-", 1)[1].isdigit()]
    question = AuditQuestion(
        commune_id=commune_id,
        key=f"{clause}-{max(numbers, default=0) + 1:02d}",
        clause=clause,
        version=1,
        text=question_text,
        evidence=evidence,
        source=source,
        is_current=True,
        is_withdrawn=False,
        created_by_id=actor.id,
    )
    db.session.add(question)
    flush()
    record_event(
        actor,
        "audit_question.added",
        question,
        changes={"key": (None, question.key), "clause": (None, clause), "question_text": (None, question_text)},
    )
    return question


def _library_row(actor, question):
    """The commune's row of `question` (a shipped question not copied yet is copied first)."""
    if question.id is not None:
        return question
    seed_library(actor, question.commune_id)
    return db.session.scalar(
        select(AuditQuestion).where(
            AuditQuestion.commune_id == question.commune_id,
            AuditQuestion.key == question.key,
            AuditQuestion.is_current.is_(True),
        )
    )


def question_by_key(commune_id, key):
    """The current version of the library question `key`, or None."""
    return next((q for q in current_questions(commune_id) if q.key == key), None)


def revise_question(actor, question, *, text, evidence="", source="", expected_row_version=None):
    """Change a question's wording, evidence or source. Unused, it changes in place; used by a
    checklist, its next version is written and becomes current. Returns the current version."""
    require(perm.library_refusal(actor, question.commune_id))
    question = _library_row(actor, question)
    if question is None or not question.is_current or question.is_withdrawn:
        raise DomainError(_l("This question is no longer in the library."), code="not_current", status=409)
    check_row_version(question, expected_row_version)
    _clause, new_text, evidence, source = _question_fields(question.clause, text, evidence, source)
    wanted = {"text": new_text, "evidence": evidence, "source": source}
    # recorded under names of their own: "text" and "source" mean other things elsewhere on the trail
    changes = {}
    if question.text != new_text:
        changes["question_text"] = (question.text, new_text)
    if question.evidence != evidence:
        changes["evidence_sought"] = (question.evidence or None, evidence or None)
    if question.source != source:
        changes["legal_basis"] = (question.source or None, source or None)
    if not changes:
        return question
    if _is_used(question):
        question.is_current = False
        newer = AuditQuestion(
            commune_id=question.commune_id,
            key=question.key,
            clause=question.clause,
            version=question.version + 1,
            is_current=True,
            is_withdrawn=False,
            created_by_id=actor.id,
            **wanted,
        )
        db.session.add(newer)
        flush()
        changes["version"] = (question.version, newer.version)
        record_event(actor, "audit_question.revised", newer, changes={"key": (None, newer.key), **changes})
        return newer
    for field, value in wanted.items():
        setattr(question, field, value)
    flush()
    record_event(actor, "audit_question.changed", question, changes=changes)
    return question


def withdraw_question(actor, question, *, expected_row_version=None):
    """Take a question out of the library: new checklists no longer offer it; the checklists that used
    it keep it."""
    require(perm.library_refusal(actor, question.commune_id))
    question = _library_row(actor, question)
    if question is None or not question.is_current or question.is_withdrawn:
        raise DomainError(_l("This question is no longer in the library."), code="not_current", status=409)
    check_row_version(question, expected_row_version)
    question.is_withdrawn = True
    flush()
    record_event(actor, "audit_question.withdrawn", question, changes={"is_withdrawn": (False, True)})
    return question


# --- an audit's checklist ------------------------------------------------------------------------------


def _require_open_checklist(audit):
    if audit.status not in (AuditStatus.planned, AuditStatus.in_progress):
        raise DomainError(
            _l("The checklist of an audit that is reported, closed or cancelled no longer changes."),
            code="checklist_closed",
            status=409,
        )


def _next_position(audit) -> int:
    top = db.session.scalar(
        select(func.max(AuditChecklistItem.position)).where(AuditChecklistItem.audit_id == audit.id)
    )
    return (top or 0) + 1


def _keys(items) -> list:
    return sorted(item.question.key for item in items if item.question is not None)


def set_checklist(actor, audit, keys):
    """The library questions of the audit's checklist, by key: questions of the audit's clauses only,
    at their current version; questions left out are removed unless they have a result already. The
    audit's own questions stay."""
    require(perm.checklist_refusal(actor, audit))
    _require_open_checklist(audit)
    wanted = {str(k).strip() for k in keys or () if str(k).strip()}
    seed_library(actor, audit.commune_id)
    offered = {q.key: q for q in current_questions(audit.commune_id, audit.clauses)}
    unknown = sorted(wanted - set(offered) - {i.question.key for i in audit.items if i.question is not None})
    if unknown:
        raise DomainError(
            _l("Not a question of the library for the audit's clauses: %(keys)s.", keys=", ".join(unknown)),
            code="invalid_question",
        )
    old = _keys(audit.items)
    for item in list(audit.items):
        if item.question is not None and item.question.key not in wanted:
            if item.result is not None:
                raise DomainError(
                    _l("Question %(key)s has a result already and stays in the checklist.", key=item.question.key),
                    code="answered",
                    status=409,
                )
            audit.items.remove(item)
            db.session.delete(item)
    flush()
    present = {item.question.key for item in audit.items if item.question is not None}
    position = _next_position(audit)
    for key in sorted(wanted - present, key=lambda k: (clause_order(offered[k].clause), k)):
        question = offered[key]
        audit.items.append(
            AuditChecklistItem(
                commune_id=audit.commune_id,
                position=position,
                clause=question.clause,
                question_id=question.id,
            )
        )
        position += 1
    flush()
    new = _keys(audit.items)
    if new != old:
        record_event(actor, "audit.checklist_changed", audit, changes={"questions": (old or None, new or None)})
    return audit.items


def build_default_checklist(actor, audit):
    """Every current library question of the audit's clauses, when its checklist is still empty."""
    if audit.items:
        return audit.items
    return set_checklist(actor, audit, [q.key for q in current_questions(audit.commune_id, audit.clauses)])


def add_own_question(actor, audit, *, clause, text):
    """A question of the audit's own, under a clause of its scope."""
    require(perm.checklist_refusal(actor, audit))
    _require_open_checklist(audit)
    clause = clause_in_scope(audit, clause)
    question_text = required_text(text, _l("Write the question."), code="text_required", limit=QUESTION_MAX)
    item = AuditChecklistItem(
        commune_id=audit.commune_id,
        position=_next_position(audit),
        clause=clause,
        own_text=question_text,
    )
    audit.items.append(item)
    flush()
    record_event(
        actor,
        "audit.own_question_added",
        item,
        changes={"audit_id": (None, audit.id), "clause": (None, clause), "question_text": (None, question_text)},
    )
    return item


def remove_item(actor, item):
    """Take a question without a result out of the audit's checklist."""
    audit = item.audit
    require(perm.checklist_refusal(actor, audit))
    _require_open_checklist(audit)
    if item.result is not None:
        raise DomainError(_l("A question with a result stays in the checklist."), code="answered", status=409)
    record_event(
        actor,
        "audit.question_removed",
        audit,
        changes={"question": (item.question.key if item.question else item.own_text, None)},
    )
    audit.items.remove(item)
    db.session.delete(item)
    flush()


def _require_in_progress(audit):
    if audit.status is not AuditStatus.in_progress:
        raise DomainError(
            _l("The checklist is filled while the audit is in progress."), code="not_in_progress", status=409
        )


def result_of(value) -> ChecklistResult:
    return enum_choice(
        ChecklistResult,
        value,
        _l("Choose the result: conform, major or minor nonconformity, observation or opportunity for improvement."),
    )


def answer_item(actor, item, *, result, notes, expected_row_version=None):
    """A member of the audit's team gives a checklist question its result and the evidence seen. A
    result other than conform needs notes (they describe the finding) and records the finding at once;
    a major or minor one opens its NC. Once a finding is recorded, the result no longer changes (the
    notes still may)."""
    audit = item.audit
    require(perm.answer_refusal(actor, audit))
    _require_in_progress(audit)
    check_row_version(item, expected_row_version)
    result = result_of(result)
    notes = text(notes)
    if item.finding_id is not None and result is not item.result:
        raise DomainError(
            _l("A finding was recorded from this question; its result no longer changes."),
            code="finding_recorded",
            status=409,
        )
    if result is not ChecklistResult.conform and not notes:
        raise DomainError(
            _l("Describe what was found: the notes are the finding's description."), code="notes_required"
        )
    changes = {}
    if item.result is not result:
        changes["checklist_result"] = (item.result, result)
    if item.notes != notes:
        changes["evidence_notes"] = (item.notes or None, notes or None)
    if not changes:
        return item
    item.result, item.notes = result, notes
    item.answered_by_id, item.answered_at = actor.id, utcnow()
    flush()
    record_event(actor, "audit.question_answered", item, changes={"audit_id": (None, audit.id), **changes})
    if result is not ChecklistResult.conform and item.finding_id is None:
        finding = record_finding(actor, audit, clause=item.clause, grade=result.value, description=notes)
        item.finding_id = finding.id
        flush()
    return item


def attach_evidence(actor, item, *, filename, data):
    """An evidence file for a checklist question, through the shared upload checks (UploadRefused says
    why a file is not accepted)."""
    audit = item.audit
    require(perm.answer_refusal(actor, audit))
    _require_in_progress(audit)
    checked = receive_upload(filename, data)
    attachment = AuditAttachment(
        commune_id=audit.commune_id,
        audit_id=audit.id,
        item_id=item.id,
        **checked.stored_fields,
        added_by_id=actor.id,
        added_at=utcnow(),
    )
    db.session.add(attachment)
    flush()
    record_event(
        actor,
        "audit.evidence_attached",
        item,
        changes={"file": (None, attachment.filename), "sha256": (None, attachment.sha256)},
    )
    return attachment
