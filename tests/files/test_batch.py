"""Checking many uploads at once (qms.files.batch): the same answers as one at a time, whether the
checks run here or in worker processes."""

from qms.files.batch import MIN_FOR_WORKERS, judge_uploads
from tests.files.samples import docx_bytes, xlsx_bytes


def test_many_files_are_judged_in_workers_as_they_are_here(app):
    good, sheet = docx_bytes("Quy trình"), xlsx_bytes("Sổ")
    items = [(f"tep-{n}.docx", lambda: good) for n in range(MIN_FOR_WORKERS)]
    items += [("sheet.xlsx", lambda: sheet), ("gia.docx", lambda: b"plain text, not Word"), ("rong.docx", lambda: b"")]
    progress = []
    with app.app_context():
        in_workers = judge_uploads(items, controlled_copy=True, workers=2, on_progress=progress.append)
        here = judge_uploads(items, controlled_copy=True, workers=1)
    assert in_workers == here
    assert in_workers[: MIN_FOR_WORKERS + 1] == [None] * (MIN_FOR_WORKERS + 1)
    assert in_workers[-2:] == ["unsupported_type", "empty"]
    assert progress[-1] == len(items)
