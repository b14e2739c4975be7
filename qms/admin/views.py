"""Administration of the commune: users (create, roles, units, disable, reset password) and units."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.auth import services
from qms.auth.forms import EditUserForm, ResetPasswordForm, UnitForm, UserForm, role_choices, unit_choices
from qms.auth.models import ADMINISTRATOR, Unit, User
from qms.auth.queries import commune_units, open_sessions, users_page
from qms.core.access import allow, get_in_commune
from qms.core.forms import ConfirmForm
from qms.core.lists import page_number
from qms.core.nav import register_nav
from qms.db import DomainError, settle

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _actor():
    return current_user._get_current_object()


@bp.get("/users")
@allow(ADMINISTRATOR)
def list_users():
    page = users_page(current_user.commune_id, page=page_number(request.args))
    return render_template("admin/users.html", page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@allow(ADMINISTRATOR)
def create_user():
    form = UserForm()
    form.roles.choices, form.units.choices = role_choices(), unit_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                _actor(),
                current_user.commune,
                username=form.username.data,
                full_name=form.full_name.data,
                password=form.password.data,
                roles=form.roles.data,
                unit_ids=form.units.data,
                email=form.email.data,
                locale=form.locale.data,
            )
        except DomainError as exc:
            settle(exc)
            target = form.password if exc.code == "weak_password" else form.username
            target.errors.append(str(exc.message))
        else:
            flash(_("The account %(u)s has been created.", u=user.username), "success")
            return redirect(url_for("admin.show_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None), 400 if form.errors else 200


@bp.get("/users/<int:user_id>")
@allow(ADMINISTRATOR)
def show_user(user_id):
    user = get_in_commune(User, user_id)
    return _user_page(user, _edit_form(user))


def _edit_form(user):
    """The edit form filled from the account (not from `obj=`: roles and units are objects there)."""
    form = EditUserForm(
        formdata=None,
        full_name=user.full_name,
        email=user.email or "",
        roles=sorted(user.role_codes),
        units=[u.id for u in user.units],
    )
    form.roles.choices, form.units.choices = role_choices(), unit_choices()
    return form


def _user_page(user, form, reset_form=None, status=200):
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        reset_form=reset_form or ResetPasswordForm(),
        confirm_form=ConfirmForm(),
        tokens=services.user_tokens(user),
        open_sessions=open_sessions(user),
    ), status


@bp.post("/users/<int:user_id>")
@allow(ADMINISTRATOR)
def update_user(user_id):
    user = get_in_commune(User, user_id)
    form = EditUserForm()
    form.roles.choices, form.units.choices = role_choices(), unit_choices()
    if form.validate_on_submit():
        try:
            changes = services.update_user(
                _actor(),
                user,
                full_name=form.full_name.data,
                email=form.email.data or "",
                roles=form.roles.data,
                unit_ids=form.units.data,
                reason=form.reason.data,
            )
        except DomainError as exc:
            settle(exc)
            form.roles.errors.append(str(exc.message))
        else:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("admin.show_user", user_id=user.id))
    return _user_page(user, form, status=400)


@bp.post("/users/<int:user_id>/disable")
@allow(ADMINISTRATOR)
def disable_user(user_id):
    return _account_action(user_id, services.disable_user, _l("The account has been disabled."))


@bp.post("/users/<int:user_id>/enable")
@allow(ADMINISTRATOR)
def enable_user(user_id):
    return _account_action(user_id, services.enable_user, _l("The account has been enabled."))


@bp.post("/users/<int:user_id>/unlock")
@allow(ADMINISTRATOR)
def unlock_user(user_id):
    return _account_action(user_id, services.unlock_user, _l("The account has been unlocked."))


def _account_action(user_id, service, done_message):
    user = get_in_commune(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service(_actor(), user, reason=form.reason.data or "")
        except DomainError as exc:
            settle(exc)
            flash(str(exc.message), "danger")
        else:
            flash(str(done_message), "success")
    return redirect(url_for("admin.show_user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@allow(ADMINISTRATOR)
def reset_password(user_id):
    user = get_in_commune(User, user_id)
    reset_form = ResetPasswordForm()
    if reset_form.validate_on_submit():
        try:
            services.reset_password(_actor(), user, reset_form.new_password.data, reason=reset_form.reason.data)
        except DomainError as exc:
            settle(exc)
            reset_form.new_password.errors.append(str(exc.message))
        else:
            flash(_("The password has been reset; the user's sessions have ended."), "success")
            return redirect(url_for("admin.show_user", user_id=user.id))
    return _user_page(user, _edit_form(user), reset_form=reset_form, status=400)


@bp.route("/units", methods=["GET", "POST"])
@allow(ADMINISTRATOR)
def list_units():
    form = UnitForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_unit(
                    _actor(),
                    current_user.commune,
                    code=form.code.data,
                    name=form.name.data,
                    is_one_stop=form.is_one_stop.data,
                )
            except DomainError as exc:
                settle(exc)
                form.code.errors.append(str(exc.message))
            else:
                flash(_("The unit has been added."), "success")
                return redirect(url_for("admin.list_units"))
        status = 400
    return render_template(
        "admin/units.html", units=commune_units(current_user.commune_id), form=form, confirm_form=ConfirmForm()
    ), status


@bp.post("/units/<int:unit_id>")
@allow(ADMINISTRATOR)
def update_unit(unit_id):
    unit = get_in_commune(Unit, unit_id)
    form = UnitForm()
    if form.validate_on_submit():
        try:
            services.update_unit(_actor(), unit, name=form.name.data, is_one_stop=form.is_one_stop.data)
        except DomainError as exc:
            settle(exc)
            flash(str(exc.message), "danger")
        else:
            flash(_("Saved."), "success")
    else:
        flash(_("Enter a code and a name."), "danger")
    return redirect(url_for("admin.list_units"))


@bp.post("/units/<int:unit_id>/active")
@allow(ADMINISTRATOR)
def toggle_unit(unit_id):
    unit = get_in_commune(Unit, unit_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.update_unit(_actor(), unit, is_active=not unit.is_active, reason=form.reason.data or "")
        flash(_("Saved."), "success")
    return redirect(url_for("admin.list_units"))


register_nav("admin.list_users", _l("Users"), order=90)
register_nav("admin.list_units", _l("Units"), order=91)
