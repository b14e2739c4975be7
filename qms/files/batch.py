"""Checking many uploads at once (the files of a document system being imported): the checks of
qms.files.services.judge_upload, in worker processes over the machine's CPUs when there are enough
files to pay for starting them (a check parses the whole file: about 15 ms for a 40 KB .docx).

The workers are started fresh ("spawn": nothing of the serving process, its threads or its
database connections, is copied into them) and only check bytes; they answer with the refusal's
code (qms.files.uploads.refusal_message gives its words; no refusal is raised, so the unit of work
in which a dry run plans is not refused by the files it reports). Files go to them a batch at a time,
so memory holds one batch of files, never the whole set.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from qms.db import answers_only
from qms.files.services import check_stampable, max_upload_bytes
from qms.files.uploads import UploadRefused, check_upload

MIN_FOR_WORKERS = 64  # fewer files are checked here: starting the workers costs about a second
BATCH = 256


def _judge(item):
    """None when the file passes, else the refusal's code (in a worker: no application)."""
    name, data, max_bytes, controlled_copy = item
    try:
        checked = check_upload(name, data, max_bytes=max_bytes)
        if controlled_copy:
            check_stampable(checked)
    except UploadRefused as exc:
        return exc.code
    except Exception:  # noqa: BLE001  (a library failing on a damaged file: the file is refused, not the batch)
        return "corrupt"
    return None


def judge_uploads(items, *, controlled_copy=False, workers=None, on_progress=None):
    """For each (file name, a callable returning its bytes) of `items`, in order: None when the file
    passes the upload checks, else the code of the refusal. on_progress(done) is called as files
    are checked."""
    items = list(items)
    limit = max_upload_bytes()
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    answers = []
    if len(items) < MIN_FOR_WORKERS or workers < 2:
        for name, read in items:
            with answers_only():  # here, a refusal made is reported, not a refusal of the unit of work
                answers.append(_judge((name, read(), limit, controlled_copy)))
            if on_progress is not None:
                on_progress(len(answers))
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for start in range(0, len(items), BATCH):
                batch = [(name, read(), limit, controlled_copy) for name, read in items[start : start + BATCH]]
                answers.extend(pool.map(_judge, batch, chunksize=8))
                if on_progress is not None:
                    on_progress(len(answers))
    return answers
