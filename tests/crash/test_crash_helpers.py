"""The crash test's own checks (tests/crash/checks.py): a lost write is found whatever part of it is
missing, a kept one is not reported, leftovers are counted. Fast: no server, no application
(the process-group helper starts a shell and a sleep of its own)."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import time

from qms.files.uploads import check_upload
from tests.crash import checks
from tests.crash.__main__ import alive_in_group, one_page_pdf, page_message


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


A, B = _sha(b"a"), _sha(b"b")


def _kept_world():
    """One acknowledged upload (version 7, bytes b"a") and one download, both wholly kept."""
    uploads = [checks.Upload("crash-u0-1", 7, A)]
    downloads = [checks.Download("crash-d0-1", 3)]
    snapshot = checks.Snapshot(version_files={7: {A}, 3: {B}}, stored={A, B}, request_ids={"crash-u0-1", "crash-d0-1"})
    files = {A: A, B: B}  # stored name -> hash of the bytes on disk
    return uploads, downloads, snapshot, files


def test_kept_writes_are_not_reported():
    uploads, downloads, snapshot, files = _kept_world()
    assert checks.lost_writes(uploads, downloads, snapshot, files.get) == []


def test_an_upload_is_lost_whatever_part_of_it_is_missing():
    def lost(change):
        uploads, downloads, snapshot, files = _kept_world()
        change(snapshot, files)
        found = checks.lost_writes(uploads, downloads, snapshot, files.get)
        assert len(found) == 1 and found[0].startswith("upload crash-u0-1 (version 7)")
        return found[0]

    assert lost(lambda s, f: s.version_files.pop(7)).endswith("no version row")
    assert lost(lambda s, f: s.version_files.__setitem__(7, {B})).endswith(f"has no file {A[:12]}")
    assert lost(lambda s, f: s.stored.discard(A)).endswith("no stored_files row " + A[:12])
    assert lost(lambda s, f: f.pop(A)).endswith("stored file missing")
    assert lost(lambda s, f: f.__setitem__(A, B)).endswith("stored file damaged")
    assert lost(lambda s, f: s.request_ids.discard("crash-u0-1")).endswith("no audit event")


def test_a_download_without_its_audit_event_is_lost():
    uploads, downloads, snapshot, files = _kept_world()
    snapshot.request_ids.discard("crash-d0-1")
    assert checks.lost_writes(uploads, downloads, snapshot, files.get) == [
        "download crash-d0-1 (version 3): no audit event"
    ]


def test_a_request_id_is_matched_exactly():
    uploads, downloads, snapshot, files = _kept_world()
    snapshot.request_ids = {"crash-u0-10", "crash-d0-1"}  # another request's id, not this one's
    assert len(checks.lost_writes(uploads, downloads, snapshot, files.get)) == 1


def test_hash_of_stored_file_reads_the_storage_layout(tmp_path):
    path = checks.stored_path(tmp_path, A)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"a")
    hash_of = checks.hash_of_stored_file(tmp_path)
    assert path == tmp_path / A[:2] / A[2:4] / A
    assert hash_of(A) == A
    assert hash_of(B) is None
    path.write_bytes(b"damaged")
    assert hash_of(A) == _sha(b"damaged")


def test_leftovers_count_temporary_and_unreferenced_files(tmp_path):
    referenced, unreferenced = checks.stored_path(tmp_path, A), checks.stored_path(tmp_path, B)
    for path in (referenced, unreferenced):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    (referenced.parent / ".tmp-abc123").write_bytes(b"half")
    (unreferenced.parent / ".tmp-def456").write_bytes(b"")
    (tmp_path / "README").write_text("not a stored file")
    assert checks.leftovers(tmp_path, {A}) == checks.Leftovers(temporary=2, unreferenced=1)
    assert checks.leftovers(tmp_path, {A, B}) == checks.Leftovers(temporary=2, unreferenced=0)


def test_read_snapshot_and_integrity_check_read_the_sqlite_file(tmp_path):
    path = tmp_path / "qms.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(
        f"""
        CREATE TABLE version_files (version_id INTEGER, sha256 TEXT);
        CREATE TABLE stored_files (sha256 TEXT);
        CREATE TABLE audit_events (request_id TEXT);
        INSERT INTO version_files VALUES (7, '{A}'), (7, '{B}'), (8, '{B}');
        INSERT INTO stored_files VALUES ('{A}'), ('{B}');
        INSERT INTO audit_events VALUES ('crash-u0-1'), (''), ('crash-u0-1'), ('crash-d0-1');
        """
    )
    connection.commit()
    connection.close()
    snapshot = checks.read_snapshot(path)
    assert snapshot.version_files == {7: {A, B}, 8: {B}}
    assert snapshot.stored == {A, B}
    assert snapshot.request_ids == {"crash-u0-1", "crash-d0-1"}
    assert checks.integrity_check(path) == "ok"


def test_restart_figures():
    assert checks.restart_figures([3.0, 1.0, 2.0, 10.0]) == (2.5, 10.0)
    assert checks.restart_figures([]) == (0.0, 0.0)


def test_every_upload_has_bytes_of_its_own_that_the_upload_checks_accept():
    first, second = one_page_pdf("crash-u0-1"), one_page_pdf("crash-u0-2")
    assert _sha(first) != _sha(second)
    checked = check_upload("crash-u0-1.pdf", first, max_bytes=1 << 20)
    assert checked.kind == "pdf"
    assert "crash-u0-1" in checked.text


def test_page_message_says_why_a_request_was_refused():
    page = b'<html><div class="invalid-feedback d-block">\n  Choose a file.\n</div><h1>Upload</h1></html>'
    assert page_message(page) == "Choose a file."
    assert page_message(b"<html><h1>Bad request</h1></html>") == "Bad request"
    assert page_message(b"no html") == "b'no html'"


def test_alive_in_group_finds_the_group_until_it_is_killed():
    process = subprocess.Popen(["sh", "-c", "sleep 30 & sleep 30"], start_new_session=True)
    try:
        deadline = time.monotonic() + 5
        while len(alive_in_group(process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.pid in alive_in_group(process.pid) and len(alive_in_group(process.pid)) == 3
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 5
    while alive_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert alive_in_group(process.pid) == []
