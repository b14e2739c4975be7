"""Extension objects, created unbound and initialised in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from qms.db import db, include_object

babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate(render_as_batch=True, compare_type=True, include_object=include_object)

__all__ = ["db", "babel", "login_manager", "csrf", "migrate"]
