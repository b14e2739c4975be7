"""The crash test: `make crash` (`python -m tests.crash`), never part of `make test`; see __main__.py.
Only test_crash_helpers.py is collected by pytest (the checks' matching, fast, no server)."""
