"""Helpers of the audit-trail page and API tests: a stopped clock for record_event(), and a check
of the SQL statements the app runs (tests.core.support.statements) that no query of the trail
skips rows with OFFSET."""

import datetime as dt
import re

from sqlalchemy.sql import visitors

from qms.core.calendar import clock_at
from qms.db import db

UTC = dt.UTC
READERS = ("auditor", "quality_officer", "administrator")


def clock(when):
    """record_event() (and everything else) sees `when` as the current time."""
    return clock_at(when)


def later_than_march():
    """One more event, dated 1 January 2032 (in no period the tests ask for): record_event() never
    dates an event before its predecessor, so whatever the tests record after their trail (a
    sign-in, a token) is dated then too, and stays out of their periods."""
    from qms.audit.services import record_event

    with clock(dt.datetime(2032, 1, 1, tzinfo=UTC)):
        record_event(None, "test.later", entity_type="tests", entity_id="0")


def no_offset(seen):
    """No query of the trail skips rows: the app never asks for an offset (in any SELECT of the
    statement, subqueries too), and the SQL has none. SQLAlchemy's SQLite dialect writes a
    constant "OFFSET ?" after every LIMIT, bound to 0: it skips nothing, and that is checked."""
    trail_queries = [(text, params, stmt) for text, params, stmt in seen if "FROM audit_events" in text]
    assert trail_queries, "no query of the trail was captured"
    for text, params, stmt in trail_queries:
        if stmt is not None:
            assert all(getattr(element, "_offset_clause", None) is None for element in visitors.iterate(stmt)), text
        for match in re.finditer(r"\bOFFSET\b", text, re.I):
            assert db.engine.dialect.name == "sqlite" and text[match.end() :].startswith(" ?"), text
            assert params[text[: match.end()].count("?")] == 0, text
    return [text for text, _params, _stmt in trail_queries]
