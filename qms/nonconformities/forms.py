"""Forms of the NC pages. Every step form carries the NC's row_version as the page showed it, so that
acting on an outdated page is a conflict (the services' expected_row_version); signed decisions carry
the password (the electronic signature). Choices that depend on the commune (people, units,
documents) are filled by the views (queries.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from qms.core.forms import DateField, Form, MultiCheckboxField, SelectField
from qms.core.lists import FilterForm as ListFilterForm
from qms.nonconformities.labels import (
    CATEGORY_LABELS,
    DISPOSITION_LABELS,
    RESULT_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
)
from qms.nonconformities.services.register import CLAUSE_MAX, DOSSIER_MAX, STEP_MAX, TITLE_MAX

TEXT_MAX = 5000
YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


def _choices(labels):
    return [SelectChoice(key.value, label) for key, label in labels.items()]


def yes_no(value):
    """A yes/no radio's answer as True, False or None (not answered)."""
    return {"yes": True, "no": False}.get(value)


class StepForm(Form):
    row_version = HiddenField()
    refusal = None  # a refusal of the service that concerns no single field (shown on the form)

    def seen(self):
        value = self.row_version.data or ""
        return int(value) if value.isascii() and value.isdigit() else None


class RegisterFilterForm(ListFilterForm):
    status = SelectField(
        _l("Status"), choices=[SelectChoice("", _l("All statuses"))] + _choices(STATUS_LABELS), validators=[Optional()]
    )
    source = SelectField(
        _l("Source"), choices=[SelectChoice("", _l("All sources"))] + _choices(SOURCE_LABELS), validators=[Optional()]
    )
    severity = SelectField(
        _l("Severity"),
        choices=[SelectChoice("", _l("All severities"))] + _choices(SEVERITY_LABELS),
        validators=[Optional()],
    )
    unit = SelectField(_l("Unit"), coerce=lambda v: int(v) if v else 0, choices=[], validators=[Optional()])
    overdue = SelectField(
        _l("Overdue"),
        choices=[SelectChoice("", _l("All")), SelectChoice("1", _l("Overdue only"))],
        validators=[Optional()],
    )
    detected_from = DateField(_l("Detected from"), render_kw={"placeholder": "dd/mm/yyyy"})
    detected_to = DateField(_l("Detected to"), render_kw={"placeholder": "dd/mm/yyyy"})

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and self.detected_from.data and self.detected_to.data and self.detected_from.data > self.detected_to.data:
            self.detected_to.errors = [_l("The period ends before it starts.")]
            return False
        return ok


class NcDetailsForm(StepForm):
    """What was found and where: reporting an NC, and correcting its record."""

    title = StringField(
        _l("Title of the nonconformity"), validators=[DataRequired(_l("Enter the title.")), Length(max=TITLE_MAX)]
    )
    description = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=TEXT_MAX)])
    severity = SelectField(_l("Severity"), choices=_choices(SEVERITY_LABELS), default="minor")
    clause = StringField(
        _l("ISO 9001 clause"),
        validators=[Optional(), Length(max=CLAUSE_MAX)],
        description=_l("For example 8.5.1 (optional)."),
    )
    unit = SelectField(_l("Unit"), coerce=int, choices=[])
    procedure = SelectField(_l("Procedure (process)"), coerce=int, choices=[])
    process_step = StringField(_l("Process step"), validators=[Optional(), Length(max=STEP_MAX)])
    document = SelectField(_l("Document"), coerce=int, choices=[])
    dossier_code = StringField(_l("Dossier code"), validators=[Optional(), Length(max=DOSSIER_MAX)])


class ReportForm(NcDetailsForm):
    source = SelectField(_l("Source"), choices=_choices(SOURCE_LABELS), default="staff_report")
    detected_on = DateField(_l("Detected on (dd/mm/yyyy)"), description=_l("Empty: today."))
    evidence = MultipleFileField(_l("Evidence files (optional)"))


class CorrectionForm(StepForm):
    what = TextAreaField(
        _l("Correction (what is done at once)"),
        validators=[DataRequired(_l("Say what the correction is.")), Length(max=TEXT_MAX)],
    )
    by = SelectField(_l("Made by"), coerce=int, choices=[])
    due_on = DateField(_l("To be done by (dd/mm/yyyy)"))
    done = BooleanField(_l("The correction is done"))


class DispositionForm(StepForm):
    disposition = RadioField(
        _l("What was done with the nonconforming output"),
        choices=_choices(DISPOSITION_LABELS),
        validators=[InputRequired(_l("Choose what was done with the nonconforming output."))],
    )


class ActionNeededForm(StepForm):
    needed = RadioField(
        _l("Is a corrective action needed?"),
        choices=YES_NO,
        validators=[InputRequired(_l("Answer whether a corrective action is needed."))],
    )
    reason = TextAreaField(
        _l("Why not (required when no action is needed)"), validators=[Optional(), Length(max=TEXT_MAX)]
    )


class WhyForm(StepForm):
    question = StringField(_l("Why?"), validators=[Optional(), Length(max=500)])
    answer = TextAreaField(
        _l("Because"), validators=[DataRequired(_l("Write the answer to this why.")), Length(max=TEXT_MAX)]
    )


class CauseForm(StepForm):
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS))
    description = TextAreaField(_l("Cause"), validators=[DataRequired(_l("Describe the cause.")), Length(max=TEXT_MAX)])
    is_root = BooleanField(_l("Root cause"))


def password_field():
    """The password typed again to sign: the last field of a signed form (fields show in the order
    they are created)."""
    return PasswordField(
        _l("Your password (electronic signature)"), validators=[DataRequired(_l("Enter your password to sign."))]
    )


class AcceptAnalysisForm(StepForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)])
    password = password_field()


class ActionForm(StepForm):
    what = TextAreaField(
        _l("What is to be done"), validators=[DataRequired(_l("Say what is to be done.")), Length(max=TEXT_MAX)]
    )
    owner = SelectField(_l("Owner"), coerce=int, choices=[])
    due_on = DateField(_l("Due date (dd/mm/yyyy)"), validators=[InputRequired(_l("Enter the due date as dd/mm/yyyy."))])


class NewActionForm(ActionForm):
    document = SelectField(
        _l("Revises document"),
        coerce=int,
        choices=[],
        description=_l("Optional: the item then opens a change request on that document."),
    )


class CompleteForm(StepForm):
    result = TextAreaField(
        _l("Result (what was done)"),
        validators=[DataRequired(_l("Say what was done (the result).")), Length(max=TEXT_MAX)],
    )


class ReviewPlanForm(StepForm):
    planned_on = DateField(
        _l("Planned date (dd/mm/yyyy)"), validators=[InputRequired(_l("Enter the planned date as dd/mm/yyyy."))]
    )
    reviewer = SelectField(_l("Reviewer"), coerce=int, choices=[])


class ReviewResultForm(StepForm):
    result = RadioField(
        _l("Result"),
        choices=_choices(RESULT_LABELS),
        validators=[InputRequired(_l("Choose whether the action was effective."))],
    )
    reviewed_on = DateField(_l("Reviewed on (dd/mm/yyyy)"), description=_l("Empty: today."))
    notes = TextAreaField(_l("Notes (why, when not effective)"), validators=[Optional(), Length(max=TEXT_MAX)])


class EvidenceForm(StepForm):
    files = MultipleFileField(_l("Evidence files"))


class LinkForm(StepForm):
    number = StringField(
        _l("Number of the similar nonconformity"),
        validators=[DataRequired(_l("Enter the number of a nonconformity.")), Length(max=40)],
        description=_l("For example SKPH-2026-001."),
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class HandlerForm(StepForm):
    handler = SelectField(_l("Handled by"), coerce=int, choices=[])


class CloseForm(StepForm):
    risks = RadioField(
        _l("Do the risks and opportunities need updating?"),
        choices=YES_NO,
        validators=[InputRequired(_l("Answer whether the risks and opportunities need updating."))],
    )
    documents_need = RadioField(
        _l("Do the process documents need updating?"),
        choices=YES_NO,
        validators=[InputRequired(_l("Answer whether the process documents need updating."))],
    )
    documents = MultiCheckboxField(_l("Documents to update"), coerce=int, choices=[])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)])
    password = password_field()


class ReasonSignedForm(StepForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=1000)])
    password = password_field()


class SettingsForm(Form):
    number_format = StringField(
        _l("Number format"),
        validators=[DataRequired(_l("Enter the number format.")), Length(max=80)],
        description=_l("{yyyy}: the year, {nnn}: the serial number in the year. For example SKPH-{yyyy}-{nnn}."),
    )
    report_form_code = StringField(
        _l("Code of the commune's own NC report form"),
        validators=[Optional(), Length(max=64)],
        description=_l("A form in force, for example BM-02-QT-10. Empty: the built-in layout."),
    )
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])
