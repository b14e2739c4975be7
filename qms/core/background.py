"""Long work a page starts and then shows the progress of (a dossier import, an evidence pack): the
request records what is to be done and commits; the work starts once the response is made
(after_commit), in a thread of this process with an application context of its own
(run_in_background); it writes its progress on its record as it goes, and the page asks for that
record every second (qms.js: an element with data-progress-url) until it ends.

QMS_IMPORT_IN_BACKGROUND off (the tests) runs the work in the request's thread instead, at once."""

import threading

from flask import after_this_request


def after_commit(fn):
    """Run `fn` once the response is made, after the request's unit of work has committed the
    record the work reads (the background thread reads it from the database). Not run when the
    request is refused (a status of 400 or more: nothing was committed)."""

    @after_this_request
    def run(response):
        if response.status_code < 400:
            fn()
        return response

    return fn


def run_in_background(app, work, *, name):
    """Call work() in a daemon thread named `name`, in an application context of `app` (its
    database session removed at the end); with QMS_IMPORT_IN_BACKGROUND off, in this thread, now.
    Returns the thread (None when run now). work() records its own failure: an exception it lets
    out is not seen by anyone."""
    if not app.config.get("QMS_IMPORT_IN_BACKGROUND", True):
        work()
        return None

    def in_context():
        from qms.db import db

        with app.app_context():
            try:
                work()
            finally:
                db.session.remove()

    thread = threading.Thread(target=in_context, name=name, daemon=True)
    thread.start()
    return thread
