"""The application starts without the large libraries it needs only for some requests (issue 14, point
8): python-docx, openpyxl, pypdf and reportlab (stamps, uploads, exports), zxcvbn's word lists (a
new password) and Alembic (a migration) are imported when first used, so that a worker that never
needs them does not carry them. The `holidays` package (every country it knows, about 17 MB) is
never imported by the application: a child process asks it for Vietnam's public holidays. Each
check runs in a fresh interpreter, where nothing was imported before."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAZY = ("docx", "openpyxl", "pypdf", "reportlab", "zxcvbn", "alembic", "flask_migrate", "holidays")


def loaded_after(code, tmp_path):
    """The LAZY top-level packages imported once `code` has run after create_app()."""
    config = {
        "TESTING": True,
        "QMS_SECRET_KEY": "a-secret-key-for-this-test-only",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "QMS_DATABASE_URL": f"sqlite:///{tmp_path}/qms.sqlite3",
    }
    script = "\n".join(
        [
            "import json, sys",
            "from qms import create_app",
            f"app = create_app({config!r})",
            "with app.app_context():",
            textwrap.indent(textwrap.dedent(code).strip() or "pass", "    "),
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({LAZY!r}))))",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_creating_the_app_imports_none_of_the_large_libraries(tmp_path):
    assert loaded_after("pass", tmp_path) == []


def test_each_library_loads_when_first_used(tmp_path):
    # the functions that use them still find them: a stamp, an export, the password policy
    code = """
        import io
        from qms.core.exports import new_document, to_bytes, xlsx_box
        from qms.files.stamping import Stamp, stamp_file
        from qms.auth.passwords import check_policy
        document = new_document()
        data = to_bytes(document)
        stamp = Stamp(code="BM-01", issue_no=1, effective_date="01/12/2026", label="BẢN KIỂM SOÁT",
                      downloaded_by="A", downloaded_at="01/12/2026 08:00", signed="")
        assert stamp_file("docx", data, stamp)[:2] == b"PK"
        assert xlsx_box().left.style == "thin"
        check_policy("a long enough and unusual passphrase 42")
    """
    assert loaded_after(code, tmp_path) == ["docx", "openpyxl", "zxcvbn"]


def test_migrations_load_alembic_when_they_run(tmp_path):
    code = """
        from flask_migrate import upgrade
        from sqlalchemy import inspect
        from qms.db import db
        upgrade()
        assert "alembic_version" in inspect(db.engine).get_table_names()
    """
    assert {"alembic", "flask_migrate"} <= set(loaded_after(code, tmp_path))


def test_working_days_and_holiday_names_leave_the_holidays_package_out_of_the_process(tmp_path):
    code = """
        import datetime as dt
        from flask_migrate import upgrade
        from qms.core.calendar import add_working_days, public_holidays
        upgrade()  # the announced adjustments are read from the database
        assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 23)  # Tết
        assert public_holidays(2026)[dt.date(2026, 9, 2)] == "Quốc khánh"
        assert "National Day" in public_holidays(2026, "en")[dt.date(2026, 9, 2)]
    """
    assert "holidays" not in loaded_after(code, tmp_path)
