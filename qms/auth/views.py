"""Sign-in, sign-out, language, and the user's own account page (password, API tokens)."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from qms.auth import services
from qms.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, TokenForm
from qms.auth.login import mark_active
from qms.auth.models import ApiToken
from qms.auth.queries import sole_commune_name
from qms.core.access import SIGNED_IN, allow, own_account, public
from qms.core.forms import ConfirmForm
from qms.db import DomainError, db, settle

bp = Blueprint("auth", __name__)


def _safe_next(target):
    """A path on this site to go back to, or None: never an address elsewhere (open redirect)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        # The password is checked (argon2) before anything is written: a write would take the
        # database's write lock, and every other writer would wait for the hashing.
        try:
            user = services.authenticate(form.username.data, form.password.data, ip=request.remote_addr or "")
        except services.SignInRefused as exc:
            _close_stale_session()
            flash(str(exc.message), "danger")
            return _login_page(form, exc.status)
        _close_stale_session()
        key = services.start_session(
            user, ip=request.remote_addr or "", user_agent=request.headers.get("User-Agent", "")
        )
        session.clear()
        session["sid"] = key
        mark_active()
        login_user(user)
        return redirect(_safe_next(form.next.data) or url_for("home.index"))
    return _login_page(form, 400 if form.errors else 200)


def _close_stale_session():
    services.close_stale_session(session.get("sid"), lifetime_hours=current_app.config["QMS_SESSION_LIFETIME_HOURS"])


def _login_page(form, status):
    """The sign-in page names the commune when the installation serves only one (otherwise the
    installation's name, QMS, is all it shows)."""
    return render_template("auth/login.html", form=form, commune_name=sole_commune_name()), status


@bp.post("/logout")
@allow(SIGNED_IN)
@own_account
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.end_session(session.get("sid"), current_user._get_current_object())
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
@public
def set_language():
    """Signed-in users keep their choice on their account; anonymous visitors in their session."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        services.set_locale(current_user._get_current_object(), form.locale.data)
    else:
        session["locale"] = form.locale.data
    return redirect(_safe_next(form.next.data) or url_for("home.index"))


@bp.route("/account", methods=["GET"])
@allow(SIGNED_IN)
def account():
    return render_template(
        "auth/account.html",
        password_form=ChangePasswordForm(),
        token_form=TokenForm(),
        language_form=LanguageForm(locale=current_user.locale, next=url_for("auth.account")),
        tokens=services.user_tokens(current_user),
        new_token=None,
        revoke_form=ConfirmForm(),
    )


@bp.post("/account/password")
@allow(SIGNED_IN)
@own_account
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(
                current_user._get_current_object(),
                form.current_password.data,
                form.new_password.data,
                keep_session=session.get("sid"),
            )
        except services.PasswordRefused as exc:
            settle(exc)
            form.current_password.errors.append(str(exc.message))
        except DomainError as exc:
            form.new_password.errors.append(str(exc.message))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html",
        password_form=form,
        token_form=TokenForm(),
        language_form=LanguageForm(locale=current_user.locale, next=url_for("auth.account")),
        tokens=services.user_tokens(current_user),
        new_token=None,
        revoke_form=ConfirmForm(),
    ), 400


@bp.post("/account/tokens")
@allow(SIGNED_IN)
@own_account
def create_token():
    form = TokenForm()
    new_token = None
    status = 400
    if form.validate_on_submit():
        _token, new_token = services.create_api_token(
            current_user._get_current_object(), current_user._get_current_object(), form.name.data
        )
        status = 201
        form = TokenForm(formdata=None)
    return render_template(
        "auth/account.html",
        password_form=ChangePasswordForm(),
        token_form=form,
        language_form=LanguageForm(locale=current_user.locale, next=url_for("auth.account")),
        tokens=services.user_tokens(current_user),
        new_token=new_token,
        revoke_form=ConfirmForm(),
    ), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@allow(SIGNED_IN)
@own_account
def revoke_token(token_id):
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.revoke_api_token(current_user._get_current_object(), token)
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.account"))
