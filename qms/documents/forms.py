"""Forms of document control. Signed actions carry a password field (the electronic signature) and
the version's row_version as shown, so that acting on an outdated page is a conflict."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from qms.core.codes import parse
from qms.core.forms import DateField, Form, MultiCheckboxField, SelectField
from qms.core.lists import FilterForm as ListFilterForm
from qms.db import DomainError
from qms.documents.labels import ACCESS_LABELS, KIND_LABELS, LEGAL_STATUS_LABELS


class OptionalInt(IntegerField):
    """An integer field whose empty value is None rather than an error."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class DocumentForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=64)],
        description=_l("For example QT-01, BM-01-QT-01, HD-02."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=500)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    field = StringField(_l("Field (lĩnh vực)"), validators=[Optional(), Length(max=120)])
    owning_unit = SelectField(_l("Owning unit"), coerce=int, choices=[])
    owner = SelectField(_l("Owner"), coerce=int, choices=[])
    parent = SelectField(_l("Belongs to procedure"), coerce=int, choices=[])
    legal_bases = MultiCheckboxField(_l("Legal bases"), coerce=int, choices=[])
    review_interval_months = OptionalInt(_l("Review interval (months)"), validators=[Optional(), NumberRange(1, 60)])
    retention_years = OptionalInt(
        _l("Retention (years; empty: permanently)"), validators=[Optional(), NumberRange(1, 100)]
    )
    access = SelectField(_l("Access"), choices=[SelectChoice(a.value, label) for a, label in ACCESS_LABELS.items()])
    issuer = StringField(_l("Issuer"), validators=[Optional(), Length(max=300)])
    number = StringField(_l("Number and symbol"), validators=[Optional(), Length(max=100)])
    issued_on = DateField(_l("Issue date (dd/mm/yyyy)"))
    effective_on = DateField(_l("Effective date (dd/mm/yyyy)"))
    legal_status = SelectField(
        _l("Legal status"),
        choices=[SelectChoice("", "—")] + [SelectChoice(s.value, label) for s, label in LEGAL_STATUS_LABELS.items()],
    )
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])


class EditDocumentForm(DocumentForm):
    """The same fields without code and kind, which identify the document and never change."""

    code = None
    kind = None


class DistributionForm(Form):
    units = MultiCheckboxField(_l("Units"), coerce=int, choices=[])
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    combine = BooleanField(_l("Only holders of these roles in these units"))


class UploadForm(Form):
    file = FileField(_l("File (.docx, .xlsx or .pdf)"), validators=[FileRequired(_l("Choose a file."))])
    change_summary = TextAreaField(_l("What changed"), validators=[Optional(), Length(max=4000)])
    reason = TextAreaField(_l("Why"), validators=[Optional(), Length(max=4000)])


class DraftForm(Form):
    file = FileField(_l("New file (leave empty to keep the current one)"))
    change_summary = TextAreaField(_l("What changed"), validators=[Optional(), Length(max=4000)])
    reason = TextAreaField(_l("Why"), validators=[Optional(), Length(max=4000)])
    row_version = HiddenField()


class RowVersionForm(Form):
    """A button acting on a version as shown (submit for review)."""

    row_version = HiddenField()


class SignForm(Form):
    """An electronic signature: the password again, and an optional comment."""

    password = PasswordField(
        _l("Your password (electronic signature)"), validators=[InputRequired(_l("Enter your password to sign."))]
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    row_version = HiddenField()


class ApproveForm(SignForm):
    effective_date = DateField(_l("Effective date (dd/mm/yyyy; empty: today)"))
    # declared again so that the page asks for the date before the comment
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])


class ReturnForm(SignForm):
    comment = TextAreaField(
        _l("What has to change"), validators=[DataRequired(_l("Say what has to change.")), Length(max=4000)]
    )


class WithdrawForm(Form):
    password = PasswordField(
        _l("Your password (electronic signature)"), validators=[InputRequired(_l("Enter your password to sign."))]
    )
    reason = TextAreaField(
        _l("Why is the document withdrawn?"),
        validators=[DataRequired(_l("Say why the document is withdrawn.")), Length(max=4000)],
    )


class ChangeRequestForm(Form):
    what = TextAreaField(
        _l("What should change"), validators=[DataRequired(_l("Say what should change.")), Length(max=4000)]
    )
    why = TextAreaField(_l("Why"), validators=[DataRequired(_l("Say why.")), Length(max=4000)])


class DecisionForm(Form):
    reason = TextAreaField(_l("Reason or comment"), validators=[Optional(), Length(max=4000)])


class SearchForm(ListFilterForm):
    """The search of the current-forms page."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])


class FilterForm(ListFilterForm):
    """GET filters of the documents list."""

    q = StringField(
        _l("Search code, title or content"),
        validators=[Optional(), Length(max=200)],
        render_kw={"placeholder": _l("e.g. chung thuc, BM-01")},
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice("", _l("All kinds"))]
        + [SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[Optional()],
    )
    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    unit = SelectField(_l("Unit"), coerce=lambda v: int(v) if v else 0, choices=[], validators=[Optional()])


def settings_form_class(kinds, controlled_kinds):
    """A settings form with a code format per kind and reviewer/approver roles per controlled kind."""

    class SettingsForm(Form):
        allow_same_reviewer_approver = BooleanField(_l("One person may both review and approve a version"))
        review_interval_months = IntegerField(
            _l("Default review interval (months)"),
            validators=[InputRequired(_l("Enter a number of months.")), NumberRange(1, 60)],
        )
        reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])

    for kind in kinds:
        setattr(
            SettingsForm,
            f"format_{kind.value}",
            StringField(KIND_LABELS[kind], validators=[Optional(), Length(max=200), _valid_format]),
        )
        setattr(
            SettingsForm,
            f"regex_{kind.value}",
            StringField(KIND_LABELS[kind], validators=[Optional(), Length(max=200), _valid_regex]),
        )
    for kind in controlled_kinds:
        setattr(SettingsForm, f"reviewers_{kind.value}", MultiCheckboxField(_l("Reviewed by"), choices=[]))
        setattr(SettingsForm, f"approvers_{kind.value}", MultiCheckboxField(_l("Approved by"), choices=[]))
    return SettingsForm


def _valid_format(form, field):
    try:
        parse(field.data or "")
    except DomainError as exc:
        raise ValidationError(exc.message) from None


def _valid_regex(form, field):
    import re

    try:
        re.compile(field.data or "")
    except re.error:
        raise ValidationError(_l("This is not a valid regular expression.")) from None
