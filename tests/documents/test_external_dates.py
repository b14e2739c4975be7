"""A document of external origin keeps its own dates (issue 14, point 5): its registered text is in
force from the text's effective date, not the day it was registered; a text registered before that
day waits for it; a corrected date is followed by the text; the documents page and the master list
of external documents show those dates."""

import datetime as dt

from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.core.calendar import add_months, clock_at, local_today, local_tz
from qms.db import db
from qms.documents import services
from qms.documents.exports import master_list_rows
from qms.documents.models import VersionStatus
from tests.core.support import signed_in_client
from tests.files.samples import docx_bytes


def law(make_document, **dates):
    return make_document(
        kind="external",
        code="L-52-2014-QH13",
        title="Luật Hôn nhân và gia đình",
        issuer="Quốc hội",
        number="52/2014/QH13",
        legal_status="in_force",
        **dates,
    )


def register(people, document, name="luat.docx"):
    version = services.register_external_file(people.author, document, filename=name, data=docx_bytes(name))
    db.session.commit()
    return version


def test_a_law_registered_years_later_is_in_force_from_its_own_date(people, make_document):
    document = law(make_document, issued_on=dt.date(2014, 6, 19), effective_on=dt.date(2015, 1, 1))
    version = register(people, document)
    assert version.status is VersionStatus.effective and version.effective_date == dt.date(2015, 1, 1)
    # reviewed a period after it was registered here, not overdue the day it is registered
    assert version.next_review_on == add_months(local_today(), document.review_interval_months)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.version.registered"))
    assert '"effective_date":[null,"2015-01-01"]' in event.changes


def test_without_a_known_date_the_text_is_in_force_from_the_day_it_is_registered(people, make_document):
    version = register(people, law(make_document))
    assert version.status is VersionStatus.effective and version.effective_date == local_today()


def test_a_text_registered_before_its_day_waits_for_it(people, make_document):
    today = local_today()
    document = law(make_document, issued_on=today, effective_on=today + dt.timedelta(days=10))
    waiting = register(people, document)
    assert waiting.status is VersionStatus.approved and waiting.effective_date == today + dt.timedelta(days=10)
    services.activate_due_versions(today=today + dt.timedelta(days=9))
    assert waiting.status is VersionStatus.approved
    services.activate_due_versions(today=today + dt.timedelta(days=10))
    db.session.commit()
    assert waiting.status is VersionStatus.effective
    assert waiting.next_review_on == add_months(today + dt.timedelta(days=10), document.review_interval_months)


def test_a_corrected_effective_date_is_followed_by_the_registered_text(people, make_document):
    document = law(make_document, effective_on=dt.date(2015, 2, 1))
    version = register(people, document)
    services.update_document(people.author, document, effective_on=dt.date(2015, 1, 1), reason="Sửa ngày hiệu lực")
    db.session.commit()
    assert version.effective_date == dt.date(2015, 1, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.version.updated"))
    assert '"effective_date":["2015-02-01","2015-01-01"]' in event.changes and event.reason == "Sửa ngày hiệu lực"
    # an internal document's dates are its versions' own: nothing follows
    procedure = make_document()
    services.update_document(people.author, procedure, title="Quy trình khác")
    db.session.commit()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.version.updated")) is event


def test_the_pages_and_the_master_list_show_the_texts_own_dates(app, people, make_document):
    with clock_at(dt.datetime(2026, 12, 6, 9, 0, tzinfo=local_tz())):
        document = law(make_document, issued_on=dt.date(2014, 6, 19), effective_on=dt.date(2015, 1, 1))
        register(people, document)
    client = signed_in_client(app, people.auditor.username)
    listing = client.get("/documents/?kind=external").get_data(as_text=True)
    assert "01/01/2015" in listing and "06/12/2026" not in listing
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "19/06/2014" in page and "01/01/2015" in page
    with app.test_request_context():
        (row,) = [r for r in master_list_rows(people.auditor, external=True) if r["code"] == "L-52-2014-QH13"]
    assert (row["issued_on"], row["effective_on"]) == (dt.date(2014, 6, 19), dt.date(2015, 1, 1))
