"""The startup group: what building the application costs (qms.create_app, paid by every gunicorn
worker as it starts, every `qms` command and every test of the suite), with its URL rules compiling
their url_for builders when first used (qms.LazyRule) against Werkzeug's own rules, which compile
both builders of every rule at start; measured interleaved in one run, the modules imported
beforehand. Beside them, for scale, building every URL of the application once on a started app
(where the lazy rules pay what they put off).

Both apps are checked before anything is timed: the same rules, and the same URL built by each for
every rule.
"""

import tempfile
import time
from contextlib import contextmanager

from werkzeug.routing import Rule

from qms import LazyRule, QmsFlask, create_app
from tests.benchmarks.harness import BENCH_CONFIG, group
from tests.test_url_rules import sample_values

ROUNDS = 30


@contextmanager
def rules_of(rule_class):
    saved = QmsFlask.url_rule_class
    QmsFlask.url_rule_class = rule_class
    try:
        yield
    finally:
        QmsFlask.url_rule_class = saved


def build_app(directory):
    return create_app(
        {**BENCH_CONFIG, "QMS_DATABASE_URL": f"sqlite:///{directory}/unused.sqlite3", "INSTANCE_PATH": directory}
    )


def every_url(app):
    adapter = app.url_map.bind("localhost")
    return [
        adapter.build(rule.endpoint, sample_values(rule), method=sorted(rule.methods)[0])
        for rule in app.url_map.iter_rules()
    ]


@group("startup", "building the application: URL rules compiled when first used vs at start")
def run(bench):
    rounds = bench.runs(10 if bench.quick else ROUNDS)
    table = bench.table(f"create_app, median of {rounds} (each kind of rule in turn)")
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as directory:
        lazy_app = build_app(directory)
        with rules_of(Rule):
            eager_app = build_app(directory)
        assert all(isinstance(r, LazyRule) for r in lazy_app.url_map.iter_rules())
        assert not any(isinstance(r, LazyRule) for r in eager_app.url_map.iter_rules())
        assert every_url(lazy_app) == every_url(eager_app), "the lazy rules build other URLs"

        samples = {"eager": [], "lazy": [], "urls": []}
        for _ in range(rounds):
            with rules_of(Rule):
                start = time.perf_counter()
                build_app(directory)
                samples["eager"].append(time.perf_counter() - start)
            start = time.perf_counter()
            app = build_app(directory)
            samples["lazy"].append(time.perf_counter() - start)
            start = time.perf_counter()
            every_url(app)
            samples["urls"].append(time.perf_counter() - start)

    eager = table.add("create_app, Werkzeug's rules (compiled at start)", samples["eager"], baseline="self")
    table.add("create_app, qms.LazyRule", samples["lazy"], baseline=eager)
    rules = len(lazy_app.url_map._rules)
    table.add(f"then every one of the {rules} URLs built once", samples["urls"], note="for scale")
