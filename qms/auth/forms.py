from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from qms.auth.models import Role, Unit
from qms.core.forms import Form, MultiCheckboxField, SelectField
from qms.db import db

# A plausible address (name@domain.tld): the only check that matters is that mail arrives, and
# wtforms' Email validator would need the email_validator package for no more than this.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid e-mail address."))

# Language names are written in their own language, so anyone can find theirs.
LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


class LoginForm(Form):
    username = StringField(
        _l("User name"),
        validators=[DataRequired(_l("Enter your user name.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LanguageForm(Form):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))])
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[EqualTo("new_password", _l("The two passwords differ."))]
    )


class TokenForm(Form):
    name = StringField(_l("Token name"), validators=[DataRequired(_l("Give the token a name.")), Length(max=100)])


class UserForm(Form):
    username = StringField(_l("User name"), validators=[DataRequired(_l("Enter a user name.")), Length(max=64)])
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the person's full name.")), Length(max=200)]
    )
    email = StringField(_l("E-mail"), validators=[Optional(), EMAIL, Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password."))])
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    units = MultiCheckboxField(_l("Units"), choices=[], coerce=int)
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class EditUserForm(Form):
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the person's full name.")), Length(max=200)]
    )
    email = StringField(_l("E-mail"), validators=[Optional(), EMAIL, Length(max=200)])
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    units = MultiCheckboxField(_l("Units"), choices=[], coerce=int)
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])


class ResetPasswordForm(Form):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class UnitForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    is_one_stop = BooleanField(_l("This is the one-stop shop"))


def role_choices():
    """Every role, named in the signed-in user's language."""
    locale = current_user.locale
    return [SelectChoice(r.code, r.name(locale)) for r in db.session.scalars(select(Role).order_by(Role.id))]


def unit_choices():
    """The active units of the signed-in user's commune, by name."""
    return [
        SelectChoice(u.id, u.name)
        for u in db.session.scalars(
            select(Unit).where(Unit.commune_id == current_user.commune_id, Unit.is_active).order_by(Unit.name)
        )
    ]


class CommuneForm(Form):
    code = StringField(
        _l("Commune code"),
        validators=[DataRequired(_l("Enter a code.")), Length(max=32)],
        description=_l("Letters, digits and dashes, without spaces (for example XA-TANLAP)."),
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=200)],
        description=_l("As it is written on documents (for example UBND xã Tân Lập)."),
    )
    admin_username = StringField(
        _l("Administrator's user name"), validators=[DataRequired(_l("Enter a user name.")), Length(max=64)]
    )
    admin_full_name = StringField(
        _l("Administrator's full name"), validators=[DataRequired(_l("Enter the person's full name.")), Length(max=200)]
    )
    admin_password = PasswordField(_l("Administrator's password"), validators=[DataRequired(_l("Enter a password."))])
