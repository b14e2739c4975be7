"""Python's memory: during long work of many small objects, and after a request that used much.

Python's cycle collector looks at every object the process holds each time it runs a full
collection, and long work of many rows triggers one every few thousand rows: the objects of a batch
live long enough to look long-lived, then die. With the application's own objects and a workbook's
strings on the heap (a quarter of a million objects), those collections took 5 of the 34 s an import
of 100,000 rows took (make bench, the dossiers group).

set_aside_the_heap() sets the objects alive when the work begins aside (gc.freeze) until it ends,
so the collections during the work look only at what the work makes, and collects the youngest
objects every YOUNG_THRESHOLD allocations instead of 700, so a batch's objects are seldom taken
for long-lived ones. Nothing is kept for longer than the work: when the last such work of the
process ends, what was set aside is collected again as usual (gc.unfreeze) and the thresholds are
Python's again. Works that overlap (two imports in two threads) share one setting aside.

give_back_free_memory() hands the memory the C allocator holds free back to the system. A request
that reads an upload's text (python-docx's XML trees) or signs leaves megabytes freed in the middle
of the heap, which glibc keeps for later: a worker's resident memory grew by 5 MB more than it held
(make bench, the server group: 97 to 103 MB per worker after the load, 96 to 98 MB with it). Views
that change something call it once they are done (qms.register_request_hooks); reads, many and
light, do not pay for it. Elsewhere than glibc (Windows, musl) it does nothing.
"""

import contextlib
import ctypes
import functools
import gc
import threading

YOUNG_THRESHOLD = 10_000

_lock = threading.Lock()
_works = 0
_thresholds = gc.get_threshold()


@contextlib.contextmanager
def set_aside_the_heap():
    global _works, _thresholds
    with _lock:
        if _works == 0:
            gc.collect()  # what is garbage now is freed, not set aside
            _thresholds = gc.get_threshold()
            gc.set_threshold(max(_thresholds[0], YOUNG_THRESHOLD), *_thresholds[1:])
        gc.freeze()
        _works += 1
    try:
        yield
    finally:
        with _lock:
            _works -= 1
            if _works == 0:
                gc.unfreeze()
                gc.set_threshold(*_thresholds)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc's, in every Linux process
    except (AttributeError, OSError, TypeError):
        return None


def give_back_free_memory():
    """Return the memory the C allocator holds free to the system (glibc's malloc_trim)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
