"""The procedures' API (/api/v1/procedures): the list, one procedure whole (requirements, legal bases,
roles, steps with their allowances, branches, the map's digest and the version of the process
document it belongs to), the due date of a dossier (qms.core.calendar.due_date with the procedure's
limit and cut-off), and the refusals: 404 with a reason for an unknown code or another commune's,
400 for a bad parameter; and parse_received, the reading of `received`."""

import datetime as dt

import pytest
from sqlalchemy import select

from qms.auth.services import create_api_token
from qms.core.calendar import due_date, parse_received
from qms.db import db
from qms.processes import services
from qms.processes.models import Procedure
from tests.core.support import IsolatedClient
from tests.processes.conftest import changed_birth_map

API = "/api/v1/procedures"
VIETNAM = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def client_class():
    """Each request in its own app context, as in production (no user or session carried over)."""
    return IsolatedClient


@pytest.fixture
def tokens(catalogue):
    for value in catalogue.values():
        if hasattr(value, "locale"):
            value.locale = "en"
    out = {}
    for name in ("qo", "staff", "auditor", "leader", "admin", "other_staff"):
        _token, plain = create_api_token(catalogue[name], catalogue[name], "test")
        out[name] = {"Authorization": f"Bearer {plain}"}
    db.session.commit()
    return out


def get(client, headers, path="", expect=200, **params):
    response = client.get(API + path, headers=headers, query_string=params)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_the_list_gives_each_procedure_with_its_limit_fee_online_level_process_document_and_forms(
    client, tokens, catalogue
):
    body = get(client, tokens["staff"])
    assert [p["code"] for p in body["procedures"]] == ["2.000884", "1.001193"]
    birth = body["procedures"][1]
    assert birth == {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "working_days": 0,
        "cutoff": "15:00",
        "fee": "Miễn lệ phí nếu đăng ký đúng hạn",
        "online": "partly",
        "process_document": {"code": "QT-07", "issue_no": 1, "issue_label": "01", "status": "effective"},
        "forms": ["BM-01-QT-07", "BM-02-QT-07", "BM-03-QT-07"],
        "in_force": True,
        "awaiting_approval": False,
        "links": {
            "self": "/api/v1/procedures/1.001193",
            "page": "/procedures/1.001193",
            "due_date": "/api/v1/procedures/1.001193/due-date",
        },
    }
    signature = body["procedures"][0]
    assert signature["working_days"] == 2 and signature["cutoff"] is None and signature["online"] == "none"


def test_the_list_searches_without_diacritics_and_filters_by_field(client, tokens, catalogue):
    assert [p["code"] for p in get(client, tokens["staff"], q="KHAI SINH")["procedures"]] == ["1.001193"]
    assert [p["code"] for p in get(client, tokens["staff"], q="chung thuc")["procedures"]] == ["2.000884"]
    assert [p["code"] for p in get(client, tokens["staff"], field="Hộ tịch")["procedures"]] == ["1.001193"]
    refused = get(client, tokens["staff"], expect=400, status="x")
    assert refused["error"] == "unknown_parameter" and "status" in refused["message"]
    assert get(client, tokens["staff"], expect=400, q="x" * 201)["error"] == "bad_q"


def test_one_procedure_whole(client, tokens, catalogue):
    body = get(client, tokens["auditor"], "/1.001193")
    assert body["requirements"] == ["Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh"]
    assert body["legal_bases"] == [{"code": "L-60-2014-QH13", "title": "Luật Hộ tịch 2014"}]
    assert body["roles"] == {
        "one_stop": "Công chức Bộ phận Một cửa",
        "civil_status": "Công chức Tư pháp - Hộ tịch",
        "leader": "Chủ tịch/Phó Chủ tịch UBND xã",
    }
    assert [s["id"] for s in body["steps"]] == ["receive", "appraise", "sign", "return"]
    assert body["steps"][0] == {
        "number": 1,
        "id": "receive",
        "name": "Tiếp nhận, kiểm tra hồ sơ",
        "role": "one_stop",
        "allowance": {"hours": 1},
        "allowance_hours": 1,
        "produces": "BM-01-QT-06",
    }
    assert body["steps"][1]["produces"] is None
    assert body["branches"] == [
        {"kind": "supplement", "from": "receive", "produces": "BM-01-QT-06"},
        {"kind": "refused", "from": "appraise", "produces": None},
    ]
    procedure = db.session.scalar(
        select(Procedure).where(Procedure.commune_id == catalogue.commune.id, Procedure.code == "1.001193")
    )
    in_force = services.map_in_force(procedure)
    assert body["map"]["digest"] == in_force.digest and len(body["map"]["digest"]) == 64
    assert body["map"]["document_version"] == {
        "code": "QT-07",
        "issue_no": 1,
        "issue_label": "01",
        "status": "effective",
    }
    assert body["map_awaiting_approval"] is None
    signature = get(client, tokens["staff"], "/2.000884")
    assert signature["steps"][1]["allowance"] == {"days": 1} and signature["steps"][1]["allowance_hours"] == 8


def test_a_map_awaiting_approval_is_named_beside_the_one_in_force(client, tokens, catalogue):
    draft = changed_birth_map(catalogue)
    body = get(client, tokens["qo"], "/1.001193")
    assert body["awaiting_approval"] is True
    assert body["steps"][1]["allowance"] == {"hours": 4}  # what the map in force says
    assert body["map"]["document_version"]["issue_no"] == 1
    awaiting = body["map_awaiting_approval"]
    assert awaiting["document_version"] == {"code": "QT-07", "issue_no": 2, "issue_label": "02", "status": "draft"}
    assert awaiting["digest"] != body["map"]["digest"] and draft.issue_no == 2


def test_an_unknown_code_and_another_communes_procedure_are_not_found_with_a_reason(client, tokens, catalogue):
    for headers, code in ((tokens["staff"], "9.999999"), (tokens["other_staff"], "1.001193")):
        for path in (f"/{code}", f"/{code}/due-date"):
            body = get(client, headers, path, expect=404, received="2026-03-02T10:00")
            assert body["error"] == "not_found" and code in body["message"]
    assert get(client, tokens["other_staff"])["procedures"] == []


def test_the_due_date_of_a_same_day_procedure_with_its_cut_off(client, tokens, catalogue):
    path = "/1.001193/due-date"
    before = get(client, tokens["staff"], path, received="2026-03-02T14:59:00+07:00")  # a Monday
    assert before == {"due_date": "2026-03-02", "effective_receipt_date": "2026-03-02", "working_days": 0}
    after = get(client, tokens["staff"], path, received="2026-03-02T15:01")  # Vietnam time without an offset
    assert after == {"due_date": "2026-03-03", "effective_receipt_date": "2026-03-03", "working_days": 0}
    utc = get(client, tokens["staff"], path, received="2026-03-02T08:30:00Z")  # 15:30 in Vietnam
    assert utc["effective_receipt_date"] == "2026-03-03"


def test_the_due_date_counts_working_days_across_the_holidays(client, tokens, catalogue):
    path = "/2.000884/due-date"  # 2 working days, no cut-off
    friday = get(client, tokens["auditor"], path, received="2026-03-06T16:30")
    assert friday == {"due_date": "2026-03-10", "effective_receipt_date": "2026-03-06", "working_days": 2}
    # Wednesday 29/04/2026: 30/4 and 1/5 are days off, then a weekend
    holiday = get(client, tokens["staff"], path, received="2026-04-29T10:00:00+07:00")
    assert holiday["due_date"] == "2026-05-05"
    expected = due_date(dt.datetime(2026, 4, 29, 10, tzinfo=VIETNAM), 2, cutoff=None)
    assert holiday["due_date"] == expected.due_date.isoformat()
    # a "+" the client forgot to encode arrives as a space
    response = client.get(f"{API}{path}?received=2026-03-06T16:30:00+07:00", headers=tokens["staff"])
    assert response.get_json()["effective_receipt_date"] == "2026-03-06"


@pytest.mark.parametrize(
    "received", ["02/03/2026", "2026-13-01T10:00", "tomorrow", "1999-12-31T10:00", "2026-03-02T25:00"]
)
def test_a_bad_received_time_is_refused(client, tokens, catalogue, received):
    body = get(client, tokens["staff"], "/1.001193/due-date", expect=400, received=received)
    assert body["error"] == "bad_received" and "ISO 8601" in body["message"]


def test_a_missing_received_time_or_an_unknown_parameter_is_refused(client, tokens, catalogue):
    assert get(client, tokens["staff"], "/1.001193/due-date", expect=400)["error"] == "missing_received"
    body = get(client, tokens["staff"], "/1.001193/due-date", expect=400, received="2026-03-02", days="3")
    assert body["error"] == "unknown_parameter"


def test_a_procedure_without_a_process_in_force_has_no_due_date(client, tokens, catalogue):
    from qms.documents import services as documents
    from tests.processes.conftest import SIGNATURE

    documents.create_document(catalogue.qo, catalogue.commune, code="QT-20", title="Quy trình mới", kind="procedure")
    db.session.commit()
    text = SIGNATURE.replace('"2.000884"', '"2.000815"').replace("QT-10", "QT-20")
    services.import_maps(catalogue.qo, catalogue.commune, [("2.000815.yaml", text)])
    db.session.commit()
    listed = {p["code"]: p for p in get(client, tokens["staff"])["procedures"]}
    assert listed["2.000815"]["in_force"] is False and listed["2.000815"]["process_document"] is None
    body = get(client, tokens["staff"], "/2.000815/due-date", expect=409, received="2026-03-02T10:00")
    assert body["error"] == "not_in_force"


def test_every_reader_of_the_commune_may_read_and_anonymous_may_not(client, tokens, catalogue):
    for name in ("qo", "staff", "auditor", "leader", "admin"):
        assert len(get(client, tokens[name])["procedures"]) == 2
    response = client.get(API)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_the_routes_are_described_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/procedures"]["get"]["operationId"] == "list_procedures"
    detail = paths["/api/v1/procedures/{code}"]["get"]
    assert {p["name"] for p in detail["parameters"]} == {"code"} and "404" in detail["responses"]
    due = paths["/api/v1/procedures/{code}/due-date"]["get"]
    assert {(p["name"], p["in"]) for p in due["parameters"]} == {("code", "path"), ("received", "query")}
    received = next(p for p in due["parameters"] if p["name"] == "received")
    assert received["required"] is True and received["in"] == "query"
    assert {"200", "400", "404", "409"} <= set(due["responses"])
    assert "Roles:" in due["description"] and "auditor" in due["description"]


# --- parse_received ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T15:30:00+07:00", dt.datetime(2026, 3, 2, 15, 30, tzinfo=VIETNAM)),
        ("2026-03-02T15:30", dt.datetime(2026, 3, 2, 15, 30, tzinfo=VIETNAM)),
        ("2026-03-02 15:30", dt.datetime(2026, 3, 2, 15, 30, tzinfo=VIETNAM)),
        ("2026-03-02T08:30:00Z", dt.datetime(2026, 3, 2, 15, 30, tzinfo=VIETNAM)),
        ("2026-03-02T15:30:00 07:00", dt.datetime(2026, 3, 2, 15, 30, tzinfo=VIETNAM)),
        ("2026-03-02", dt.datetime(2026, 3, 2, 0, 0, tzinfo=VIETNAM)),
    ],
)
def test_parse_received_reads_iso_8601_in_vietnam_time_when_no_offset_is_given(app, text, expected):
    value = parse_received(text)
    assert value == expected and value.tzinfo is not None


@pytest.mark.parametrize(
    "text", ["", None, "   ", "abc", "02/03/2026", "2026-02-30", "3000-01-01", "2026-03-02T15:30ư"]
)
def test_parse_received_refuses_anything_else(app, text):
    with pytest.raises(ValueError):
        parse_received(text)
