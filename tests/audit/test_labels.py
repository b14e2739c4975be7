"""Every action the code records has a label the trail shows instead of its code, and every field its
changes name and every origin it records in place of an IP address (a command, a job) a label, in
the reader's language; the codes themselves stay what they are (the hash covers them) and are shown
on hover."""

import ast
import re
from pathlib import Path

from flask_babel import force_locale

from qms.audit.labels import change_value
from qms.auth.services import PASSWORD_REFUSED
from qms.core import labels
from qms.core.labels import (
    Names,
    action_labels,
    actions_in_order,
    field_label,
    field_labels,
    origin_label,
    record_labels,
    records_in_order,
)
from qms.core.names import text_sort_key
from qms.db import db
from qms.documents.models import ChangeRequestStatus
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2] / "qms"
# Actions not written as a literal, and the actions they can be.
DYNAMIC = {
    "f'document.change_request.{status.value}'": [
        f"document.change_request.{s.value}" for s in ChangeRequestStatus if s is not ChangeRequestStatus.open
    ],
    "PASSWORD_REFUSED[purpose]": list(PASSWORD_REFUSED.values()),
    # qms.dossiers.services.common.record(actor, action, ...): the actions its callers name
    "action": [
        f"dossier.{a}"
        for a in (
            "received",
            "handed_over",
            "supplement_requested",
            "supplement_received",
            "refused",
            "withdrawn",
            "result_ready",
            "returned",
            "extended",
            "applicant_read",
            "imported",
            "import_finished",
            "rated",
            "code_format_changed",
            "one_stop_forms_changed",
            "target_set",
            "target_removed",
            "shortfall_taken_up",
        )
    ],
}


def recorded_actions():
    """The action argument of every record_event() call under qms/ (a literal or an f-string)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "record_event"
            ):
                action = node.args[1]
                if isinstance(action, ast.Constant):
                    found.add(action.value)
                else:
                    found.update(DYNAMIC[ast.unparse(action)])  # a new such action fails here
    return found


# Changes built from a variable rather than written out, and the fields they can hold: the
# keyword arguments update_document(), update_unit() and replace_draft_file() pass on to diff(),
# update_document()'s related records, and the document-control settings.
DYNAMIC_FIELDS = {
    "given": [
        "title",
        "field",
        "review_interval_months",
        "retention_years",
        "issuer",
        "number",
        "issued_on",
        "effective_on",
        "access",
        "legal_status",
    ],
    "values": ["name", "is_one_stop", "is_active", "change_summary", "reason", "author_id"],
    "changes[name] = (_label(old_obj), _label(new))": ["owning_unit", "owner", "parent"],
    "changes[field] = (old, new)": [],  # diff() itself: its callers' fields are found at the calls
    # nonconformities: where it was found, passed on to diff() by update_nc()
    "where": ["unit_id", "procedure_id", "document_id", "process_step", "dossier_code", "clause"],
}


# Fields no code records any more but events of earlier releases hold: the trail still names them.
RETIRED_FIELDS = {"code_patterns"}  # document settings before code formats (migration 0007)


def _is_creation(node):
    return (
        isinstance(node, ast.Tuple)
        and len(node.elts) == 2
        and isinstance(node.elts[0], ast.Constant)
        and node.elts[0].value is None
    )


def recorded_fields():
    """The field names of every change the code records under qms/: keyword arguments of diff(),
    the collection diff_members() compares, keys of a changes dict written out (or of any dict of
    (None, new) pairs, however it reaches record_event()), and the fields of DYNAMIC_FIELDS where a
    change is built from a variable (a new such variable fails here)."""
    from qms.documents.settings import DEFAULTS

    found = set(DEFAULTS) | RETIRED_FIELDS  # update_document_settings() compares these
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "diff":
                    for keyword in node.keywords:
                        found.update([keyword.arg] if keyword.arg else DYNAMIC_FIELDS[ast.unparse(keyword.value)])
                elif name == "diff_members":
                    found.add(node.args[1].value)
                elif name == "record" and len(node.args) >= 4 and isinstance(node.args[3], ast.Dict):
                    # qms.dossiers.services.common.record(actor, action, dossier, changes)
                    found.update(key.value for key in node.args[3].keys if isinstance(key, ast.Constant))
                elif name == "record_event":
                    changes = next((k.value for k in node.keywords if k.arg == "changes"), None)
                    if isinstance(changes, ast.Dict):
                        found.update(key.value for key in changes.keys if key is not None)  # None: **more
            elif isinstance(node, ast.Dict) and node.values and all(_is_creation(value) for value in node.values):
                # {field: (None, new), ...}, wherever it is built (a key from a variable is not a field name)
                found.update(key.value for key in node.keys if isinstance(key, ast.Constant))
            elif isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "changes":
                if isinstance(node.value, ast.Dict):
                    found.update(key.value for key in node.value.keys if isinstance(key, ast.Constant))
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Subscript)
                and getattr(node.targets[0].value, "id", "") == "changes"
            ):
                key = node.targets[0].slice
                found.update([key.value] if isinstance(key, ast.Constant) else DYNAMIC_FIELDS[ast.unparse(node)])
    return found


def test_every_recorded_field_has_a_label(app):
    fields = recorded_fields()
    assert {"status", "approved_by_id", "legal_bases", "owning_unit", "code_formats"} <= fields  # the scan works
    assert sorted(fields - set(field_labels())) == []
    assert sorted(set(field_labels()) - fields) == []


def test_every_recorded_action_has_a_label(app):
    actions = recorded_actions()
    assert len(actions) > 30  # the scan found the calls
    assert sorted(actions - set(action_labels())) == []
    assert sorted(set(action_labels()) - actions) == []  # no label of an action nobody records


def test_the_trail_shows_actions_in_vietnamese_with_their_codes_on_hover(app, world):
    client = app.test_client()
    login(client, "a_auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert '<span title="auth.sign_in">Đăng nhập</span>' in page
    assert "<code>auth.sign_in</code>" not in page  # the stored code is not shown beside its words
    assert record_labels()["users"] is not None and "Tài khoản" in page


def test_every_origin_recorded_in_place_of_an_ip_address_has_a_label(app):
    origins = set()
    for path in ROOT.rglob("*.py"):
        origins |= set(re.findall(r'audit_context\(ip=(?:\w+ or )?"(\w+)"', path.read_text(encoding="utf-8")))
    assert {"cli", "job", "import", "evidence"} <= origins  # the scan works
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert {origin: str(origin_label(origin)) for origin in sorted(origins)} == {
            "cli": "Dòng lệnh",
            "evidence": "Lập bộ hồ sơ minh chứng (chạy nền)",
            "import": "Nhập dữ liệu (chạy nền)",
            "job": "Tác vụ tự động theo lịch",
        }
        assert origin_label("127.0.0.1") == "127.0.0.1"


def test_the_trail_shows_a_commands_events_as_coming_from_the_command_line(app, world):
    from qms.audit.services import audit_context, record_event

    qo = world["a"]["users"]["quality_officer"]
    with audit_context(ip="cli", request_id="cli-test"):
        record_event(qo, "auth.sign_out", qo)
    db.session.commit()
    client = app.test_client()
    login(client, "a_auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert '<span title="cli">Dòng lệnh</span>' in page


def test_changes_show_fields_and_coded_values_by_their_labels(app, world):
    from qms.documents.services import create_document

    with app.test_request_context():
        assert field_label("status") == "Trạng thái" and field_label("from_a_newer_qms") == "from_a_newer_qms"
        assert (
            change_value("in_review", "status") == "Đang xem xét" and change_value("in_review", "title") == "in_review"
        )
        assert change_value(True) == "Có" and change_value(False) == "Không"
        qo = world["a"]["users"]["quality_officer"]
        names = Names(world["a"]["commune"].id)
        assert change_value(qo.id, "approved_by_id", names) == qo.full_name
        assert change_value(qo.id, "issue_no", names) == qo.id, "not a reference to an account"
        assert change_value(world["b"]["users"]["staff"].id, "approved_by_id", names) == world["b"]["users"]["staff"].id
        assert (
            change_value(2**40, "approved_by_id", names) == 2**40 and change_value("x", "approved_by_id", names) == "x"
        )
        assert change_value({"form": "BM-{n}"}) == "form: BM-{n}" and change_value("vi", "locale") == "Tiếng Việt"
    create_document(
        world["a"]["users"]["quality_officer"],
        world["a"]["commune"],
        code="QT-77",
        title="Quy trình thử nhãn",
        kind="procedure",
    )
    db.session.commit()
    client = app.test_client()
    login(client, "a_auditor")
    page = client.get("/audit/?action=document.created").get_data(as_text=True)
    assert '<strong title="kind">Loại tài liệu</strong>: ∅ → <span title="procedure">Quy trình</span>' in page
    assert 'title="parent"' not in page, "nothing to nothing is not a change"
    assert '<strong title="code">Mã</strong>: ∅ → QT-77' in page


def test_recorded_times_in_changes_are_shown_in_vietnam_time(app):
    with app.test_request_context():
        assert change_value("2026-12-01T08:04:22.610318+00:00") == "01/12/2026 15:04:22"
        assert change_value(None) == "∅" and change_value(["QT-01", "QT-02"]) == "QT-01, QT-02"
        assert change_value("2026-12-01") == "01/12/2026" and change_value(3) == 3
        assert change_value("2026-02-30") == "2026-02-30", "not a date"


def test_every_reason_the_system_writes_is_a_code_shown_in_words(app):
    """A reason the code itself writes (not one a person typed) is a registered code, shown in the
    reader's language on the trail, never English text stored in the chain."""
    from qms.core.labels import reason_label

    written = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "record_event"
            ):
                for keyword in node.keywords:
                    if keyword.arg == "reason":
                        for value in ast.walk(keyword.value):
                            if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                                written.add(value.value)
    assert {"idle_timeout", "wrong_password"} <= written  # the scan works
    with app.test_request_context():
        assert sorted(code for code in written if reason_label(code) == code) == []


def test_the_trails_filters_list_actions_and_kinds_of_record_in_vietnamese_order(app):
    with app.test_request_context(), force_locale("vi"):
        for listed, registered in ((actions_in_order(), action_labels()), (records_in_order(), record_labels())):
            in_words = {code: str(label) for code, label in registered.items()}
            assert [code for code, _label in listed] == sorted(in_words, key=lambda c: text_sort_key(in_words[c]))
        actions = [label for _code, label in actions_in_order()]
        # đ comes after d and before e: "Đăng nhập" is not listed after every other action
        assert actions.index("Bàn giao hồ sơ") < actions.index("Đăng nhập") < actions.index("Tạo tài khoản")
        assert actions.index("Đăng nhập") < actions.index("Đăng xuất") < actions.index("Xuất hồ sơ bằng chứng")


def test_labels_follow_the_language_and_what_is_registered_later(app, monkeypatch):
    monkeypatch.setattr(labels, "_ACTIONS", dict(labels._ACTIONS))
    with app.test_request_context():
        with force_locale("en"):
            english = dict(actions_in_order())
        with force_locale("vi"):
            vietnamese = dict(actions_in_order())
            assert (english["auth.sign_in"], vietnamese["auth.sign_in"]) == ("Signed in", "Đăng nhập")
            assert labels.action_label("auth.sign_in") == "Đăng nhập"
            labels.register(actions={"test.first": "A Ă thử nghiệm"})
            assert actions_in_order()[0] == ("test.first", "A Ă thử nghiệm")
            assert labels.action_label("test.first") == "A Ă thử nghiệm"
        with force_locale("en"):
            assert labels.action_label("auth.sign_in") == "Signed in"
