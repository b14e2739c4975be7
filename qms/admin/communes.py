"""The installation administrator's page: the communes of the installation, and adding one with its
own administrator (who then creates its units and accounts). Nothing inside a commune is shown here."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.auth import services
from qms.auth.forms import CommuneForm
from qms.auth.models import INSTALLATION_ADMIN
from qms.core.access import allow
from qms.core.nav import register_nav
from qms.db import DomainError, settle

bp = Blueprint("communes", __name__, url_prefix="/installation")

# The field a refusal is about (create_user's refusals are about the administrator's account).
_FIELDS = {"invalid_code": "code", "commune_taken": "code", "name_required": "name", "weak_password": "admin_password"}


@bp.route("/communes", methods=["GET", "POST"])
@allow(INSTALLATION_ADMIN)
def list_communes():
    form = CommuneForm()
    status = 200
    if form.validate_on_submit():
        try:
            commune, administrator = services.create_commune_with_administrator(
                current_user._get_current_object(),
                code=form.code.data,
                name=form.name.data,
                admin_username=form.admin_username.data,
                admin_full_name=form.admin_full_name.data,
                admin_password=form.admin_password.data,
            )
        except DomainError as exc:
            settle(exc)
            getattr(form, _FIELDS.get(exc.code, "admin_username")).errors.append(str(exc.message))
            status = exc.status
        else:
            flash(
                _(
                    "The commune %(name)s has been added; its administrator %(user)s can now sign in.",
                    name=commune.name,
                    user=administrator.username,
                ),
                "success",
            )
            return redirect(url_for("communes.list_communes"), 303)
    elif form.errors:
        status = 400
    return render_template("admin/communes.html", communes=services.communes(), form=form), status


register_nav("communes.list_communes", _l("Communes"), order=95)
