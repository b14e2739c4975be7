"""Language and time zone per user; Vietnamese dates (dd/mm/yyyy) in Vietnam time."""
import datetime as dt
from zoneinfo import ZoneInfo

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


def local_tz():
    return ZoneInfo(current_app.config["QMS_TIMEZONE"])


def to_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(local_tz())


def format_date(value):
    """dd/mm/yyyy, for dates and (in Vietnam time) datetimes."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value, seconds=False):
    """dd/mm/yyyy HH:MM in Vietnam time."""
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def parse_date(text):
    """dd/mm/yyyy (or ISO yyyy-mm-dd from a date input) -> date, or ValueError."""
    text = (text or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def init_template_helpers(app):
    from flask_babel import get_locale

    from qms.core.nav import nav_items
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale())}
