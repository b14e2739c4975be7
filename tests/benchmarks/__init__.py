"""Benchmarks: `make bench` (`python -m tests.benchmarks`), never part of `make test`.

No file here is named test_*.py, so pytest collects nothing from this folder. To add a group
(say "documents"), write tests/benchmarks/documents.py with a function decorated
@group("documents", "...") from tests.benchmarks.harness, and add the module's name to GROUP_MODULES.
"""

import importlib

GROUP_MODULES = (
    "audit",
    "audits",
    "documents",
    "dossiers",
    "dossiers_volume",
    "evidence",
    "imports",
    "nonconformities",
    "server",
    "startup",
)


def load_groups():
    """Import every group module so that its @group functions register themselves."""
    for name in GROUP_MODULES:
        importlib.import_module(f"{__name__}.{name}")
