"""What a crash leaves in the file store (qms.files.leftovers): temporary files of interrupted writes
removed at start and by the job, `qms files check` listing the files no row refers to and the rows
whose file is missing or damaged, `qms files gc` removing only old unreferenced files with one audit
event, and the administrator's page showing the last check's figures."""

import datetime as dt
import os
import re
import sys
import time

import pytest

from qms.auth.models import ADMINISTRATOR
from qms.cli import main
from qms.core.calendar import format_datetime, utcnow
from qms.db import db
from qms.files import leftovers
from qms.files.leftovers import (
    check_files,
    collect_garbage,
    last_summary,
    tidy_at_start,
    tidy_temporary_files,
    walk_store,
)
from qms.files.models import StoredFile
from qms.files.storage import path_for, sha256_of, storage_root, store_bytes
from tests.conftest import login
from tests.core.support import IsolatedClient, events
from tests.files.test_services import docx_bytes

HOURS = 3600


@pytest.fixture
def client_class():
    return IsolatedClient


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def _stored(data):
    """A file kept with its row, committed."""
    sha = store_bytes(data).sha256
    db.session.commit()
    return sha


def _orphan(data, age_seconds):
    """A stored file no row refers to (an upload cut off before its transaction committed)."""
    path = path_for(sha256_of(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return _age(path, age_seconds)


def _temporary(folder, name, age_seconds, size=10):
    path = folder / f".tmp-{name}"
    path.write_bytes(b"t" * size)
    return _age(path, age_seconds)


@pytest.fixture
def store(app):
    """Referenced, unreferenced old and recent, missing, damaged, and temporary files old and new."""
    referenced = _stored(docx_bytes("referenced"))
    missing = _stored(b"a file whose disk was lost")
    damaged = _stored(b"a file whose disk went bad")
    path_for(missing).unlink()
    path_for(damaged).write_bytes(b"a file whose disk went bAd")
    old = _orphan(b"left by a crash two days ago" * 10, 48 * HOURS)
    recent = _orphan(b"an upload in flight", 60)
    folder = path_for(referenced).parent
    return {
        "referenced": referenced,
        "missing": missing,
        "damaged": damaged,
        "old": old,
        "recent": recent,
        "old_tmp": _temporary(folder, "old", 3600, size=100),
        "new_tmp": _temporary(folder, "new", 5),
    }


def test_the_check_lists_unreferenced_missing_damaged_and_temporary_files(app, store):
    check = check_files()
    db.session.commit()
    assert sorted(f.path for f in check.unreferenced) == sorted([store["old"], store["recent"]])
    assert [row.sha256 for row in check.missing] == [store["missing"]]
    assert [row.sha256 for row in check.damaged] == [store["damaged"]]
    assert sorted(f.path for f in check.temporary) == sorted([store["old_tmp"], store["new_tmp"]])
    summary = check.summary()
    assert (summary.files, summary.unreferenced, summary.missing, summary.damaged, summary.temporary) == (4, 2, 1, 1, 2)
    assert summary.unreferenced_bytes == store["old"].stat().st_size + store["recent"].stat().st_size
    assert summary.temporary_bytes == 110
    # recorded as a reader records them, so the administrator's page names their records
    assert db.session.get(StoredFile, store["missing"]).damaged_at is not None
    assert db.session.get(StoredFile, store["damaged"]).damaged_at is not None
    assert db.session.get(StoredFile, store["referenced"]).damaged_at is None
    assert {e["changes"]["state"][1] for e in events("file.damaged")} == {"missing", "damaged"}
    assert last_summary() == summary


def test_tidy_removes_only_old_temporary_files(app, store):
    removed = tidy_temporary_files(storage_root())
    assert (removed.count, removed.bytes) == (1, 100)
    assert not store["old_tmp"].exists() and store["new_tmp"].exists()
    assert store["old"].exists() and store["recent"].exists() and path_for(store["referenced"]).exists()
    assert tidy_temporary_files(storage_root()).count == 0


def test_gc_removes_only_old_unreferenced_files_and_records_one_event(app, store):
    before = len(events())
    collected = collect_garbage(None)
    db.session.commit()
    assert [f.path for f in collected.removed] == [store["old"]]
    assert [f.path for f in collected.kept] == [store["recent"]]
    assert not store["old"].exists() and store["recent"].exists()
    assert path_for(store["referenced"]).exists() and path_for(store["damaged"]).exists()
    assert store["new_tmp"].exists() and store["old_tmp"].exists()  # temporary files are tidy's
    new = events(after=0)[before:]
    assert [e["action"] for e in new] == ["files.collected"]
    assert new[0]["actor_id"] is None
    assert new[0]["changes"] == {
        "files_removed": [None, 1],
        "bytes_removed": [None, len(b"left by a crash two days ago") * 10],
    }
    again = collect_garbage(None)
    db.session.commit()
    assert again.count == 0 and len(events()) == before + 1  # nothing removed: nothing recorded


def test_gc_dry_run_removes_and_records_nothing(app, store):
    before = len(events())
    collected = collect_garbage(None, dry_run=True)
    db.session.commit()
    assert [f.path for f in collected.removed] == [store["old"]]
    assert store["old"].exists() and len(events()) == before


def test_gc_keeps_a_file_an_upload_of_the_same_bytes_takes_again(app):
    data = b"uploaded again by the person whose upload was cut off"
    path = _orphan(data, 48 * HOURS)
    store_bytes(data)  # the same bytes, in a transaction not yet committed: the file is dated anew
    assert time.time() - path.stat().st_mtime < 60
    assert collect_garbage(None).count == 0
    db.session.commit()
    assert path.read_bytes() == data


def test_gc_puts_back_a_file_whose_row_came_after_the_walk(app):
    data = b"its upload committed while the collector was walking"
    path = _orphan(data, 48 * HOURS)
    (leftover,) = walk_store(storage_root())[0]
    _stored(data)  # committed after the walk; the row is looked at again just before removing
    assert leftovers._remove_unreferenced(leftover, utcnow() - dt.timedelta(days=1)) is False
    assert path.read_bytes() == data and walk_store(storage_root())[1] == []


def test_files_check_command_prints_the_lists_and_fails_on_missing_or_damaged(app, runner, store):
    result = runner.invoke(main, args=["files", "check"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "Unreferenced (no row refers to them): 2" in out
    assert str(store["old"]) in out and str(store["recent"]) in out
    assert f"Missing (a row refers to them, no file): 1\n  {store['missing']}" in out
    assert f"Damaged (no longer match their SHA-256): 1\n  {store['damaged']}" in out
    assert "Temporary (interrupted writes): 2, 110 bytes" in out
    assert "never removed" in result.stderr
    # once the files are back, only unreferenced files remain: nothing wrong, exit 0
    path_for(store["missing"]).write_bytes(b"a file whose disk was lost")
    path_for(store["damaged"]).write_bytes(b"a file whose disk went bad")
    result = runner.invoke(main, args=["files", "check"])
    assert result.exit_code == 0, result.output
    assert "Missing (a row refers to them, no file): 0" in result.stdout


def test_files_gc_command_removes_old_unreferenced_files(app, runner, store):
    dry = runner.invoke(main, args=["files", "gc", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would remove 1 unreferenced file(s)" in dry.stdout and store["old"].exists()
    result = runner.invoke(main, args=["files", "gc"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 unreferenced file(s), 280 bytes" in result.stdout
    assert str(store["old"]) in result.stdout and "Kept 1 unreferenced file(s) younger than 24 hours" in result.stdout
    assert not store["old"].exists() and store["recent"].exists()
    assert len(events("files.collected")) == 1
    result = runner.invoke(main, args=["files", "gc", "--grace-hours", "0"])
    assert result.exit_code == 0 and not store["recent"].exists()
    refused = runner.invoke(main, args=["files", "gc", "--grace-hours", "-1"])
    assert refused.exit_code == 1 and "Error: --grace-hours cannot be negative" in refused.stderr


def test_the_administrators_page_shows_the_last_checks_figures(app, make_user, store):
    admin = make_user(ADMINISTRATOR)
    client = app.test_client()
    assert login(client, admin.username).status_code == 302
    assert "qms files gc" not in client.get("/").get_data(as_text=True)  # never checked: nothing to show
    check_files()
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    section = page.split('id="section-admin-damaged-files"')[1].split("</section>")[0]
    checked = format_datetime(last_summary().checked)
    assert checked in section and "qms files gc" in section
    detail = re.sub(r"<[^>]+>", " ", section.split(checked)[1])
    # 4 stored files; 2 unreferenced (299 bytes), 1 missing, 1 damaged; 2 temporary (110 bytes)
    assert [int(n) for n in re.findall(r"\d+", detail)] == [4, 2, 299, 1, 1, 2, 110]


def test_the_daily_job_tidies_and_checks_once_a_day(app, store):
    summary = leftovers.daily_check(app)
    db.session.commit()
    assert "1 temporary file(s) removed" in summary and "2 unreferenced" in summary and "1 damaged" in summary
    assert not store["old_tmp"].exists() and last_summary() is not None
    assert leftovers.daily_check(app).startswith("not due")


def test_the_start_tidies_old_temporary_files_once(app, store):
    tidy_at_start(app).join(10)
    assert not store["old_tmp"].exists() and store["new_tmp"].exists()
    again = _temporary(store["old_tmp"].parent, "again", 3600)
    tidy_at_start(app).join(10)  # a second worker of the same start, or a restart within minutes
    assert again.exists()


def test_qms_serve_tidies_at_start(app, runner, store, monkeypatch):
    import waitress

    import qms.core.jobs

    threads = []
    real = leftovers.tidy_at_start
    monkeypatch.setattr(leftovers, "tidy_at_start", lambda a: threads.append(real(a)) or threads[-1])
    monkeypatch.setattr(qms.core.jobs, "start_scheduler", lambda *a: None)
    monkeypatch.setattr(waitress, "serve", lambda *a, **k: None)
    result = runner.invoke(main, args=["serve"])
    assert result.exit_code == 0, result.output
    threads[0].join(10)
    assert not store["old_tmp"].exists() and store["new_tmp"].exists()


def test_gunicorns_application_tidies_at_start(app, store, database_url, monkeypatch):
    monkeypatch.setenv("QMS_SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.setenv("QMS_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("QMS_DATABASE_URL", database_url)
    monkeypatch.setenv("QMS_STORAGE_DIR", app.config["QMS_STORAGE_DIR"])
    monkeypatch.delitem(sys.modules, "qms.wsgi", raising=False)
    import qms.wsgi

    qms.wsgi.tidying.join(10)
    assert not store["old_tmp"].exists() and store["new_tmp"].exists()
    with qms.wsgi.app.app_context():
        db.session.remove()
        db.engine.dispose()
