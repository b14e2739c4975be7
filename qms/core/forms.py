"""The base of every form of qms: WTForms' own messages (a required field left empty, a choice not
in the list, a number out of range, a text too long) in the user's language.

WTForms ships no Vietnamese catalogue, and Flask-WTF only ever looks in WTForms' own, so those
messages would reach a commune civil servant in English. Forms built on `Form` look them up in the
qms catalogue instead; WTFORMS_MESSAGES lists the ones qms's forms can show, so that extracting the
catalogue keeps them.
"""

import wtforms
from flask_babel import format_decimal, get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from qms.core.calendar import parse_date

WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1
    ),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Invalid email address."),
    _l("Invalid input."),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1
    ),
    lazy_ngettext(
        "Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
)


class _CatalogueTranslations:
    """What WTForms asks of a translations object, answered from the qms catalogue. WTForms fills
    in the placeholders itself, so the strings go back unformatted."""

    def gettext(self, string):
        return get_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ngettext(singular, plural, n)


_TRANSLATIONS = _CatalogueTranslations()


class Form(FlaskForm):
    """FlaskForm (CSRF protection included) whose built-in messages are translated."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS


class ConfirmForm(Form):
    """A button that changes state: only its CSRF token and an optional reason."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class Select(wtforms.widgets.Select):
    """WTForms' drop-down list, its options written the way WTForms writes them but with one format
    each: WTForms builds and sorts a dictionary of attributes for every option, which took 3 ms for
    the audit trail's 170 actions, kinds of record and people. An option with attributes of its own
    is still written by WTForms."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        return Markup(
            f'<option {selected}value="{escape(choice.value)}">{escape(choice.label or choice.value)}</option>'
        )


class SelectField(wtforms.SelectField):  # noqa: TID251  (the one subclass)
    """The drop-down list of every qms form (wtforms.SelectField with the quicker Select)."""

    widget = Select()


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DateField(Field):
    """A date typed as dd/mm/yyyy (an ISO date from a browser's date picker is accepted too)."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = parse_date(text)
            except ValueError:
                raise ValueError(_l("Enter the date as dd/mm/yyyy.")) from None


class NumberField(Field):
    """A number typed with a decimal comma as Vietnamese writes it (87,5) or a point (87.5); empty is
    None. Written back with a comma in Vietnamese and a point in English."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_decimal(self.data, format="0.#")

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip().replace(" ", "")
        self.data = None
        if text:
            try:
                self.data = float(text.replace(",", "."))
            except ValueError:
                raise ValueError(_l("Enter a number, for example 95 or 2,5.")) from None
            if self.data != self.data or self.data in (float("inf"), float("-inf")):
                self.data = None
                raise ValueError(_l("Enter a number, for example 95 or 2,5."))


def field_error(field, exc):
    """Show a refusal of the services (a DomainError) under the form field it is about."""
    field.errors = list(field.errors) + [str(exc.message)]
