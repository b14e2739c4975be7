"""Every action the code records has a label the trail shows beside its code, in the reader's
language; the codes themselves stay what they are (the hash covers them)."""
import ast
from pathlib import Path

from qms.audit.labels import ACTION_LABELS, RECORD_LABELS
from qms.documents.models import ChangeRequestStatus
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2] / "qms"
# Actions written with an f-string, and the values their placeholder takes.
DYNAMIC = {"document.change_request.{status.value}": [f"document.change_request.{s.value}"
                                                      for s in ChangeRequestStatus if s is not ChangeRequestStatus.open]}


def recorded_actions():
    """The action argument of every record_event() call under qms/ (a literal or an f-string)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "record_event":
                action = node.args[1]
                if isinstance(action, ast.Constant):
                    found.add(action.value)
                else:
                    text = ast.unparse(action)
                    found.update(DYNAMIC[text[2:-1]])  # f"..." -> ...; a new f-string fails here
    return found


def test_every_recorded_action_has_a_label():
    actions = recorded_actions()
    assert len(actions) > 30  # the scan found the calls
    assert sorted(actions - set(ACTION_LABELS)) == []
    assert sorted(set(ACTION_LABELS) - actions) == []  # no label of an action nobody records


def test_the_trail_shows_labels_in_vietnamese_and_the_codes(app, world):
    client = app.test_client()
    login(client, "a_auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert "Đăng nhập" in page and "<code>auth.sign_in</code>" in page
    assert RECORD_LABELS["users"] is not None and "Tài khoản" in page


def test_recorded_times_in_changes_are_shown_in_vietnam_time(app):
    from qms.audit.labels import change_value
    with app.test_request_context():
        assert change_value("2026-12-01T08:04:22.610318+00:00") == "01/12/2026 15:04:22"
        assert change_value(None) == "∅" and change_value(["QT-01", "QT-02"]) == "QT-01, QT-02"
        assert change_value("2026-12-01") == "2026-12-01" and change_value(3) == 3
