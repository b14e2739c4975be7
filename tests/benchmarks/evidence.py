"""The evidence group (issue 11, point 6): an evidence pack of a document with 20 versions and 5,000
audit events (about the document and its versions), built with qms.evidence into a .zip on disk.

Measured, interleaved in one run: building the whole pack (every version's original and controlled
copy, record.json, events.csv, index.docx, manifest.json); against two baselines on the same data,
writing the same bytes into a .zip alone (the pack's files read beforehand: what zipping costs) and
reading the same events and writing their CSV to nowhere (what the trail costs). Goal: the pack in
under 3 s (someone waits for it on the page). Beside the times,
the peak of Python's memory while building the pack (tracemalloc, in an untimed run of its own: it
slows Python down) for 5,000 and for 20,000 events: it should not grow with the events (they are
read in keyset batches and written out as they come).

The document and its versions are made through the services (drafted by a quality officer, reviewed
by a leader, approved by a second quality officer); the 5,000 events are appended to the chain with
record_events (one INSERT), about the document and its versions in turn. The pack is checked before
anything is timed: verify_pack passes, it holds 40 files of versions and 5,000 event rows and more.
"""

import gc
import os
import tempfile
import time
import tracemalloc
import zipfile

from qms.db import db
from tests.benchmarks.harness import PASSWORD, group, temporary_app, under_ms

VERSIONS = 20
EVENTS = 5_000


def document_with_versions(versions, events):
    """A commune, three people and QT-01 with `versions` issues (the last in force), and `events`
    events about the document and its versions. Returns (auditor, document)."""
    from qms.audit.services import EntityRef, record_events
    from qms.auth.services import create_commune, create_unit, create_user
    from qms.documents import services
    from tests.files.samples import docx_bytes

    commune = create_commune(None, code="XA-EV", name="UBND xã Hòa Bình")
    unit = create_unit(None, commune, code="VP", name="Văn phòng", is_one_stop=True)

    def person(username, role):
        return create_user(
            None,
            commune,
            username=username,
            full_name=username.title(),
            password=PASSWORD,
            roles=[role],
            unit_ids=[unit.id],
        )

    author, approver = person("author", "quality_officer"), person("approver", "quality_officer")
    leader, auditor = person("leader", "leader"), person("auditor", "auditor")
    document = services.create_document(author, commune, code="QT-01", title="Quy trình chứng thực", kind="procedure")
    text = [f"Bước {n}: tiếp nhận, kiểm tra và trả kết quả hồ sơ chứng thực bản sao." for n in range(400)]
    for issue in range(1, versions + 1):
        version = services.create_draft_version(
            author,
            document,
            filename=f"QT-01 lần {issue:02d}.docx",
            data=docx_bytes(f"Quy trình lần {issue}", paragraphs=text),
            change_summary="" if issue == 1 else f"Sửa lần {issue}",
        )
        services.submit_for_review(author, version)
        services.review_version(leader, version, password=PASSWORD)
        services.approve_version(approver, version, password=PASSWORD)
        db.session.commit()
    records = [EntityRef("documents", str(document.id), commune.id)] + [
        EntityRef("document_versions", str(v.id), commune.id) for v in document.versions
    ]
    batch = []
    for n in range(events):
        batch.append(("document.version.downloaded", records[n % len(records)], {"via": (None, "web")}, ""))
        if len(batch) == 1000:
            record_events(author, batch)
            db.session.commit()
            batch = []
    record_events(author, batch)
    db.session.commit()
    return auditor, document


def _build(auditor, path):
    from qms.evidence import services
    from qms.evidence.models import SubjectKind

    return services.build_to_file(auditor, SubjectKind.document, "QT-01", path)[1]


def _events_alone(commune_id, document):
    """The events of the pack read and written as CSV to nowhere: what the trail's part costs."""
    from qms.audit.csv_export import csv_chunks
    from qms.audit.queries import history_of

    records = [("documents", str(document.id))] + [("document_versions", str(v.id)) for v in document.versions]
    return sum(len(chunk) for chunk in csv_chunks(history_of(commune_id, records)))


def _zip_alone(files, path):
    """The pack's files (read beforehand) written into a .zip alone: what zipping the bytes costs."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as out:
        for name, data in files:
            out.writestr(name, data)


def _peak(auditor, path):
    gc.collect()
    tracemalloc.start()
    try:
        _build(auditor, path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _mb(size):
    return f"{size / 2**20:.1f} MB"


@group("evidence", "an evidence pack of a document with 20 versions and 5,000 events vs zipping its bytes alone")
def evidence_group(bench):
    from qms.evidence.pack import verify_pack

    versions = 5 if bench.quick else VERSIONS
    events = 1_000 if bench.quick else EVENTS
    table = bench.table(f"Evidence pack: a document with {versions} versions and {events:,} events".replace(",", "."))
    with temporary_app() as _app, tempfile.TemporaryDirectory(prefix="qms-bench-evidence-") as folder:
        auditor, document = document_with_versions(versions, events)
        pack_path, zip_path = os.path.join(folder, "pack.zip"), os.path.join(folder, "alone.zip")
        manifest = _build(auditor, pack_path)
        check = verify_pack(pack_path)
        rows = _events_alone(auditor.commune_id, document)
        with zipfile.ZipFile(pack_path) as archive:
            files = [(i.filename, archive.read(i.filename)) for i in archive.infolist()]
            csv_rows = archive.read("events.csv").decode("utf-8-sig").count("\n") - 1
        version_files = [f for f in manifest["files"] if f["path"].startswith("versions/")]
        if not check.holds or len(version_files) != 2 * versions or csv_rows < events or not rows:
            raise RuntimeError(f"the pack is not right: {check}, {len(version_files)} files, {csv_rows} events")
        size = os.path.getsize(pack_path)
        runs = bench.runs(3 if bench.quick else 5)
        pack_samples, zip_samples, event_samples = [], [], []
        for _ in range(runs):  # interleaved, so that the machine's state weighs on all three alike
            for samples, work in (
                (pack_samples, lambda: _build(auditor, pack_path)),
                (zip_samples, lambda: _zip_alone(files, zip_path)),
                (event_samples, lambda: _events_alone(auditor.commune_id, document)),
            ):
                db.session.expire_all()
                start = time.perf_counter()
                work()
                samples.append(time.perf_counter() - start)
        baseline = table.add("zipping the same bytes alone", zip_samples, baseline="self")
        table.add(
            "building the pack",
            pack_samples,
            baseline=baseline,
            goal=under_ms(3000),
            note=f"{len(manifest['files']) + 1} files, {_mb(size)}; on top of zipping: stamping {versions} "
            "controlled copies, reading the events, and the index (.docx, python-docx: most of the rest)",
        )
        table.add("reading the events alone (to CSV)", event_samples, baseline=baseline)
        peak = _peak(auditor, pack_path)
        table.add_figure("peak memory building the pack", peak, _mb(peak), note="tracemalloc, an untimed run")
    if not bench.quick:
        with temporary_app() as _app, tempfile.TemporaryDirectory(prefix="qms-bench-evidence-") as folder:
            auditor, _document = document_with_versions(versions, 4 * events)
            more = _peak(auditor, os.path.join(folder, "pack.zip"))
        table.add_figure(
            f"peak memory with {4 * events:,} events".replace(",", "."),
            more,
            _mb(more),
            note=f"{more / peak:.2f}x the peak with {events:,} events: flat if close to 1".replace(",", "."),
        )
