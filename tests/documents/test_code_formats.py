"""Code formats a quality officer writes (QT-{nn}, BM-{nn}-{QT}) instead of regular expressions:
reading them, checking codes against them, the next code of a series, the settings page's live
example, the regular expression as the advanced option, and the migration of stored regexes."""

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.auth.models import Commune
from qms.core.codes import CodeFormat, parse
from qms.db import DomainError, db
from qms.documents.settings import document_settings, update_document_settings
from tests.core.support import fresh
from tests.documents.views_support import html, signed_in, submit

ANY = r"[^\W_](?:[\w.\-]*[^\W_])?"


@pytest.mark.parametrize(
    "written, good, bad",
    [
        ("QT-{nn}", ["QT-01", "QT-99", "QT-100"], ["QT-1", "QT-001", "QT-01a", "qt-01"]),
        ("BM-{nn}-{QT}", ["BM-01-QT-06"], ["BM-01", "BM-1-QT-06", "BM-01-06"]),
        ("CS-{nn}[-{yyyy}], MT-{nn}", ["CS-01", "CS-02-2026", "MT-03"], ["MT-03-2026", "CS-01-26", "CS-"]),
        ("{yyyy}/QĐ-{n}".replace("/", "."), ["2026.QĐ-7", "2026.QĐ-12"], ["26.QĐ-7"]),
    ],
)
def test_a_format_accepts_the_codes_it_shows_and_nothing_else(written, good, bad):
    code_format = CodeFormat(written, r"QT-(?:\d{2}|[1-9]\d{2,})")
    assert [code for code in good if not code_format.fits(code)] == []
    assert [code for code in bad if code_format.fits(code)] == []


def test_the_procedure_placeholder_is_the_procedure_a_document_belongs_to():
    code_format = CodeFormat("BM-{nn}-{QT}", r"QT-\d{2}")
    assert code_format.fits("BM-01-QT-06", "QT-06")
    assert not code_format.fits("BM-01-QT-05", "QT-06")


@pytest.mark.parametrize(
    "written, needle",
    [
        ("QT-{x}", "{x}"),
        ("QT-{nn", "{"),
        ("QT-[{nn}", "["),
        ("QT-{nn}]", "]"),
        ("QT-[]", "[]"),
        ("QT {nn}", "space"),
        ("QT/{nn}", "/"),
        ("QT-{nn},", "comma"),
        ("QT-[{nn},{n}]", "comma"),
        ("x" * 201, "200"),
    ],
)
def test_a_format_that_cannot_be_read_is_refused_with_the_reason(app, written, needle):
    with force_locale("en"), pytest.raises(DomainError) as refused:
        parse(written)
    assert refused.value.code == "invalid_pattern"
    with force_locale("en"):
        assert needle in str(refused.value.message)


def test_spaces_around_commas_are_allowed():
    assert len(parse(" CS-{nn} , MT-{nn} ")) == 2


@pytest.mark.parametrize(
    "written, existing, procedure, expected",
    [
        ("QT-{nn}", [], None, "QT-01"),
        ("QT-{nn}", ["QT-01", "QT-07", "QT-03", "TL-09"], None, "QT-08"),
        ("QT-{nn}", ["QT-99"], None, "QT-100"),
        ("BM-{nn}-{QT}", ["BM-01-QT-06", "BM-02-QT-06", "BM-05-QT-01"], "QT-06", "BM-03-QT-06"),
        ("BM-{nn}-{QT}", ["BM-01-QT-06"], None, None),
        ("HD-{nn}[-{QT}]", ["HD-01", "HD-04-QT-06"], None, "HD-02"),
        ("HD-{nn}[-{QT}]", ["HD-01", "HD-04-QT-06"], "QT-06", "HD-05-QT-06"),
        ("CS-{nn}[-{yyyy}], MT-{nn}", ["CS-01", "MT-04"], None, "CS-02"),
        ("KH-{yyyy}-{nnn}", ["KH-2025-014", "KH-2026-002"], None, "KH-2026-003"),
    ],
)
def test_the_next_code_follows_the_highest_of_its_series(written, existing, procedure, expected):
    code_format = CodeFormat(written, r"QT-(?:\d{2}|[1-9]\d{2,})")
    assert code_format.next_code(existing, year=2026, procedure_code=procedure) == expected


def test_the_defaults_are_formats_and_accept_what_they_did(app, people):
    settings = document_settings(people.commune)
    assert settings.code_format("procedure") == "QT-{nn}" and settings.code_regex("procedure") == ""
    assert settings.code_format("form") == "BM-{nn}-{QT}"
    for kind, code in [
        ("policy", "CS-01"),
        ("policy", "MT-02-2026"),
        ("procedure", "QT-01"),
        ("instruction", "HD-01"),
        ("instruction", "HD-01-QT-03"),
        ("form", "BM-02-QT-01"),
        ("internal", "TL-01"),
        ("external", "52/2014/QH13".replace("/", "-")),
    ]:
        assert settings.code_fits(kind, code), (kind, code)


def test_a_form_names_its_own_procedure(people, make_document):
    procedure = make_document(code="QT-06")
    make_document(code="QT-05")
    with pytest.raises(DomainError) as refused:
        make_document(code="BM-01-QT-05", kind="form", parent=procedure)
    assert refused.value.code == "invalid_code" and "QT-06" in str(refused.value.message)
    assert make_document(code="BM-01-QT-06", kind="form", parent=procedure).parent == procedure


def test_a_regular_expression_is_the_advanced_option(people, make_document):
    values = document_settings(people.commune).as_dict()
    values["code_regexes"]["procedure"] = r"QT\.\d{3}"
    changes = update_document_settings(people.author, people.commune, **values, reason="Mã ba chữ số")
    db.session.commit()
    assert set(changes) == {"code_regexes"}
    assert make_document(code="QT.001").code == "QT.001"
    with pytest.raises(DomainError):
        make_document(code="QT-01")
    # the regular expression is used instead of the format, which is kept for when it is cleared
    assert document_settings(people.commune).code_format("procedure") == "QT-{nn}"


def test_a_changed_format_is_audited_in_words(people):
    values = document_settings(people.commune).as_dict()
    values["code_formats"]["procedure"] = "QT-{nnn}"
    update_document_settings(people.author, people.commune, **values)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "documents.settings_updated"))
    assert '"procedure":"QT-{nnn}"' in event.changes.replace(" ", "")
    assert document_settings(people.commune).code_fits("procedure", "QT-001")


def test_a_bad_format_changes_nothing(people):
    before = document_settings(people.commune).as_dict()
    values = document_settings(people.commune).as_dict()
    values["code_formats"]["form"] = "BM-{nn}-{QTT}"
    values["review_interval_months"] = 6
    with pytest.raises(DomainError) as refused:
        update_document_settings(people.author, people.commune, **values)
    assert refused.value.code == "invalid_pattern" and "{QTT}" in str(refused.value.message)
    db.session.rollback()
    assert document_settings(people.commune).as_dict() == before


def test_the_settings_page_shows_the_next_code_and_reads_the_format_live(app, people, make_document):
    procedure = make_document(code="QT-06")
    make_document(code="QT-07")
    make_document(code="BM-01-QT-06", kind="form", parent=procedure)
    db.session.commit()
    client = signed_in(app, people.author, locale="vi")
    page = html(client.get("/documents/settings"))
    assert "QT-{nn}" in page and "Mã tiếp theo: QT-08." in page and "BM-02-QT-06 (cho QT-06)" in page
    assert 'data-code-example="/documents/settings/code-example"' in page
    answer = client.get("/documents/settings/code-example", query_string={"kind": "procedure", "format": "QT-{nnn}"})
    assert answer.status_code == 200
    # QT-06 and QT-07 have two digits: the new series starts, and the page says they stay as they are
    assert answer.json["next_code"] == "QT-001" and "2 trong 2 mã" in answer.json["text"]
    answer = client.get("/documents/settings/code-example", query_string={"kind": "form", "format": "BM-{x}"})
    assert answer.status_code == 400 and "{x}" in answer.json["error"]
    answer = client.get("/documents/settings/code-example", query_string={"kind": "nothing", "format": ""})
    assert answer.status_code == 400 and answer.json["error"]
    answer = client.get("/documents/settings/code-example", query_string={"kind": "form", "regex": "BM-(\\d"})
    assert answer.status_code == 400 and answer.json["error"]
    assert document_settings(fresh(people.commune)).code_format("procedure") == "QT-{nn}"  # nothing saved


def test_the_settings_form_refuses_a_bad_format_in_vietnamese_and_saves_a_good_one(app, people):
    client = signed_in(app, people.author, locale="vi")
    page = html(client.get("/documents/settings"))
    data = dict(re.findall(r'name="((?:format|regex)_\w+)"[^>]*value="([^"]*)"', page))
    data["review_interval_months"] = "12"
    for kind in ("policy", "procedure", "instruction", "form", "internal"):
        data[f"reviewers_{kind}"] = ["quality_officer", "leader"]
        data[f"approvers_{kind}"] = ["leader" if kind == "policy" else "quality_officer"]
    refused = submit(
        client, "/documents/settings", {**data, "format_procedure": "QT-{n}{x}"}, page="/documents/settings"
    )
    assert refused.status_code == 400
    text = html(refused)
    assert "{x} (ký tự 7)" in text and 'aria-invalid="true"' in text
    assert document_settings(fresh(people.commune)).code_format("procedure") == "QT-{nn}"
    saved = submit(client, "/documents/settings", {**data, "format_procedure": "QT-{nnn}"}, page="/documents/settings")
    assert saved.status_code == 303
    assert document_settings(fresh(people.commune)).code_format("procedure") == "QT-{nnn}"


def test_the_registration_page_shows_each_kinds_format_and_next_code(app, people, make_document):
    make_document(code="QT-01")
    db.session.commit()
    page = html(signed_in(app, people.author, locale="vi").get("/documents/new"))
    assert "QT-{nn}" in page and "Mã tiếp theo: QT-02." in page


def test_stored_regular_expressions_migrate_to_formats_or_stay_as_the_advanced_option(app):
    """Migration 0007 on the settings earlier releases stored."""
    from importlib import import_module

    migration = import_module("qms.migrations.versions.20261206_0007_code_formats")
    former = dict(migration.FORMER_DEFAULTS)
    stored = {**former, "procedure": r"QT\.\d{3}", "internal": ""}
    upgraded = migration._upgrade({"code_patterns": stored, "review_interval_months": 6})
    assert upgraded["code_regexes"] == {"procedure": r"QT\.\d{3}"}
    assert upgraded["code_formats"] == {"internal": ""}  # cleared stays cleared
    assert "code_patterns" not in upgraded
    assert migration._downgrade(dict(upgraded))["code_patterns"]["procedure"] == r"QT\.\d{3}"


def test_the_migration_converts_a_communes_stored_settings_in_the_database(app, people):
    """Downgrade to 0006, store settings as earlier releases did, upgrade: the commune's codes are
    checked as before (its QT.nnn regular expression kept, the other kinds on the new formats)."""
    import flask_migrate

    commune_id = people.commune.id
    db.session.remove()
    flask_migrate.downgrade(revision="0006")
    with db.engine.begin() as connection:
        connection.execute(
            Commune.__table__.update()
            .where(Commune.__table__.c.id == commune_id)
            .values(
                settings={"documents": {"code_patterns": {"procedure": r"QT\.\d{3}", "form": r"BM-\d{2}-QT-\d{2}"}}}
            )
        )
    flask_migrate.upgrade(revision="heads")
    settings = document_settings(db.session.get(Commune, commune_id))
    assert settings.code_regex("procedure") == r"QT\.\d{3}" and settings.code_fits("procedure", "QT.001")
    assert settings.code_regex("form") == "" and settings.code_format("form") == "BM-{nn}-{QT}"
