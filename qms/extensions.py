"""Extension objects, created unbound and initialised in create_app()."""

import click
from flask import g
from flask.cli import with_appcontext
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from qms.db import db, include_object


class Migrate:
    """Flask-Migrate, imported when a migration runs (`qms db ...`, or flask_migrate's upgrade()
    called by a command or a test), not when the application starts: it brings Alembic, some 10 MB
    in every web worker, which never migrates. The settings, the `db` commands and
    app.extensions["migrate"] are Flask-Migrate's own once loaded."""

    def __init__(self, **options):
        self.options = options

    def init_app(self, app, db, directory):
        def load():
            from flask_migrate import Migrate as FlaskMigrate

            FlaskMigrate(**self.options).init_app(app, db, directory=directory)  # replaces both below
            return app.extensions["migrate"]

        app.extensions["migrate"] = _LoadedOnFirstUse(load)
        app.cli.add_command(_migration_commands, name="db")


class _LoadedOnFirstUse:
    """Stands for the object load() returns, calling it when an attribute is first read."""

    def __init__(self, load):
        self._load = load
        self._loaded = None

    def __getattr__(self, name):
        if self._loaded is None:
            self._loaded = self._load()
        return getattr(self._loaded, name)


class _MigrationGroup(click.Group):
    """Flask-Migrate's `db` commands, imported when the group runs or lists them."""

    @staticmethod
    def _commands():
        from flask_migrate.cli import db as commands

        return commands

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._commands().get_command(ctx, name)


# The options and the callback of Flask-Migrate's own `db` group, which its commands read from g.
@click.group(cls=_MigrationGroup)
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def _migration_commands(directory, x_arg):
    """Perform database migrations."""
    g.directory = directory
    g.x_arg = x_arg


babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate(render_as_batch=True, compare_type=True, include_object=include_object)

__all__ = ["db", "babel", "login_manager", "csrf", "migrate"]
