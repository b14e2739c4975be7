"""Forms of the internal-audit pages. A form that changes a programme or an audit carries its row_version
as the page showed it, so that acting on an outdated page is a conflict (the services'
expected_row_version); signed steps carry the password typed again (the electronic signature).
Choices that depend on the commune (people, units, procedures) are filled by the views."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from qms.audits.labels import GRADE_LABELS, RESULT_LABELS
from qms.audits.services.checklist import QUESTION_MAX
from qms.audits.services.programme import TITLE_MAX
from qms.core.forms import DateField, Form, MultiCheckboxField, SelectField

TEXT_MAX = 5000
REASON_MAX = 2000


class StepForm(Form):
    row_version = HiddenField()
    refusal = None  # a refusal of the service that concerns no single field (shown on the form)
    reasons = ()  # an impartiality refusal's reasons, each shown on its own line

    def seen(self):
        value = self.row_version.data or ""
        return int(value) if value.isascii() and value.isdigit() else None


class SignForm(StepForm):
    """A signed step: the password typed again."""

    password = PasswordField(
        _l("Your password (your signature)"), validators=[DataRequired(_l("Type your password to sign."))]
    )


class AuditForm(StepForm):
    """Planning an audit, or changing a planned one."""

    title = StringField(
        _l("Title of the audit"), validators=[DataRequired(_l("Enter the title.")), Length(max=TITLE_MAX)]
    )
    criteria = TextAreaField(
        _l("Audit criteria"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("What the audit checks against: TCVN ISO 9001:2015, the procedures, the law."),
    )
    clauses = MultiCheckboxField(_l("ISO 9001 clauses"), choices=[])
    procedures = MultiCheckboxField(_l("Procedures (their internal processes)"), coerce=int, choices=[])
    system_processes = MultiCheckboxField(_l("Processes of the quality system"), choices=[])
    units = MultiCheckboxField(_l("Units audited"), coerce=int, choices=[])
    planned_start = DateField(
        _l("Planned start (dd/mm/yyyy)"), validators=[InputRequired(_l("Enter the planned dates."))]
    )
    planned_end = DateField(_l("Planned end (dd/mm/yyyy)"), validators=[InputRequired(_l("Enter the planned dates."))])
    lead_auditor = SelectField(_l("Lead auditor"), coerce=int, choices=[])
    team = MultiCheckboxField(_l("Other members of the audit team"), coerce=int, choices=[])


class CancelForm(StepForm):
    reason = TextAreaField(
        _l("Why the audit is cancelled"),
        validators=[DataRequired(_l("Say why the audit is cancelled.")), Length(max=REASON_MAX)],
    )


class FindingForm(StepForm):
    clause = SelectField(_l("ISO 9001 clause"), choices=[])
    grade = RadioField(
        _l("Grade"),
        choices=[SelectChoice(grade.value, label) for grade, label in GRADE_LABELS.items()],
        validators=[InputRequired(_l("Choose the grade."))],
    )
    description = TextAreaField(
        _l("What was found"), validators=[DataRequired(_l("Describe the finding.")), Length(max=TEXT_MAX)]
    )


class DecisionForm(StepForm):
    accepted = RadioField(
        _l("Decision"),
        choices=[SelectChoice("yes", _l("Accepted")), SelectChoice("no", _l("Not accepted"))],
        validators=[InputRequired(_l("Choose accepted or not accepted."))],
    )
    reason = TextAreaField(_l("Why"), validators=[DataRequired(_l("Say why.")), Length(max=REASON_MAX)])


class ReportForm(StepForm):
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=TEXT_MAX)])
    strengths = TextAreaField(_l("Strengths"), validators=[Optional(), Length(max=TEXT_MAX)])
    conclusions = TextAreaField(_l("Conclusions"), validators=[Optional(), Length(max=TEXT_MAX)])


class ChecklistForm(StepForm):
    """The library questions of the audit's checklist (by key)."""

    questions = MultiCheckboxField(_l("Questions of the library"), choices=[])


class OwnQuestionForm(StepForm):
    clause = SelectField(_l("ISO 9001 clause"), choices=[])
    text = TextAreaField(
        _l("The audit's own question"), validators=[DataRequired(_l("Write the question.")), Length(max=QUESTION_MAX)]
    )


class AnswerForm(StepForm):
    result = RadioField(
        _l("Result"),
        choices=[SelectChoice(result.value, label) for result, label in RESULT_LABELS.items()],
        validators=[InputRequired(_l("Choose the result."))],
    )
    notes = TextAreaField(
        _l("Evidence seen (notes)"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("For a result other than conform, the notes are the finding's description."),
    )


class EvidenceForm(StepForm):
    files = MultipleFileField(_l("Evidence files"))


class QuestionForm(StepForm):
    """A question of the library: adding one (with its clause) or revising one."""

    clause = SelectField(_l("ISO 9001 clause"), choices=[])
    text = TextAreaField(_l("Question"), validators=[DataRequired(_l("Write the question.")), Length(max=QUESTION_MAX)])
    evidence = TextAreaField(_l("What the auditor looks at"), validators=[Optional(), Length(max=TEXT_MAX)])
    source = StringField(_l("Legal basis"), validators=[Optional(), Length(max=TEXT_MAX)])


class ReviseQuestionForm(QuestionForm):
    clause = None  # a question keeps its clause
