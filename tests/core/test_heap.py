"""qms.core.heap: long work sets the heap alive when it begins aside from the cycle collector, and
gives it back when the last such work ends, whatever way it ends; a request that changes something
gives the memory it freed back to the system."""

import gc
import platform
import threading

import pytest

from qms.core import heap
from qms.core.heap import YOUNG_THRESHOLD, set_aside_the_heap


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def collected(thing):
    """Whether a collection looks at `thing` (it is in one of the three generations)."""
    return any(o is thing for generation in range(3) for o in gc.get_objects(generation=generation))


def test_the_heap_is_set_aside_during_the_work_and_given_back_after_it():
    before = gc.get_threshold()
    alive = Node()
    with set_aside_the_heap():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == max(before[0], YOUNG_THRESHOLD)
        assert not collected(alive)  # set aside: no collection looks at it
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
    assert collected(alive)


def test_garbage_made_before_the_work_is_freed_not_set_aside():
    import weakref

    ref = weakref.ref(Node())  # unreachable at once, but a cycle
    with set_aside_the_heap():
        assert ref() is None


def test_a_failing_work_gives_the_heap_back():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), set_aside_the_heap():
        raise RuntimeError("the import failed")
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_works_that_overlap_give_the_heap_back_when_the_last_ends():
    first_in, second_out, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with set_aside_the_heap():
            first_in.set()
            second_out.wait(5)
            seen["after the second ended"] = gc.get_freeze_count()
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with set_aside_the_heap():
        pass
    second_out.set()
    first_out.wait(5)
    thread.join(5)
    assert seen["after the second ended"] > 0
    assert gc.get_freeze_count() == 0


def test_a_request_that_changes_something_gives_freed_memory_back_and_a_read_does_not(app, monkeypatch):
    trims = []
    monkeypatch.setattr(heap, "_malloc_trim", lambda: trims.append)
    client = app.test_client()
    client.get("/login")
    client.head("/login")
    assert trims == []
    client.post("/login", data={"username": "nobody", "password": "x"})  # refused (no CSRF token), but a POST
    assert trims == [0]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_glibcs_malloc_trim_is_found_and_runs():
    assert heap._malloc_trim() is not None
    heap.give_back_free_memory()
