"""Language per user (Vietnamese first, English per user) and the template filters for dates."""

from flask import current_app, request, session
from flask_login import current_user

LOCALES = ("vi", "en")


def select_locale():
    if current_user and current_user.is_authenticated:
        return current_user.locale
    chosen = session.get("locale") if request else None
    return chosen if chosen in LOCALES else current_app.config["QMS_DEFAULT_LOCALE"]


def select_timezone():
    return current_app.config["QMS_TIMEZONE"]


def init_template_helpers(app):
    from flask_babel import get_locale

    from qms.core.calendar import format_date, format_datetime
    from qms.core.nav import nav_items

    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale())}
