"""The application's URL rules compile their builders when url_for first needs them (qms.LazyRule),
and build exactly the URLs Werkzeug's own rules build, for every rule of the application."""

from werkzeug.routing import AnyConverter, IntegerConverter, Map, Rule

from qms import LazyRule


def sample_value(converter):
    if isinstance(converter, IntegerConverter):
        return 7
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "QT-06 lần 02/ý"


def sample_values(rule):
    return {name: sample_value(converter) for name, converter in rule._converters.items()}


def test_a_rule_compiles_no_builder_until_a_url_is_built(monkeypatch):
    compiled = []
    werkzeug_compile = Rule._compile_builder

    def counted(rule, append_unknown=True):
        compiled.append(append_unknown)
        return werkzeug_compile(rule, append_unknown)

    monkeypatch.setattr(Rule, "_compile_builder", counted)
    adapter = Map([LazyRule("/documents/<code>/versions/<int:number>", endpoint="version")]).bind("localhost")
    assert compiled == []
    assert adapter.build("version", {"code": "QT-06", "number": 2}) == "/documents/QT-06/versions/2"
    assert adapter.build("version", {"code": "QT-06", "number": 2, "tab": "ký"}) == (
        "/documents/QT-06/versions/2?tab=k%C3%BD"
    )
    assert adapter.build("version", {"code": "QT-06", "number": 3}) == "/documents/QT-06/versions/3"
    assert compiled == [True]


def test_every_rule_of_the_application_builds_what_werkzeug_builds(app):
    rules = list(app.url_map.iter_rules())
    assert rules and all(isinstance(rule, LazyRule) for rule in rules)
    eager = Map([Rule(r.rule, endpoint=r.endpoint, defaults=r.defaults, methods=r.methods) for r in rules])
    lazy, plain = app.url_map.bind("localhost"), eager.bind("localhost")
    for rule in rules:
        values = sample_values(rule)
        method = sorted(rule.methods)[0]
        for extra in ({}, {"page": 2, "q": "Hộ tịch"}):
            expected = plain.build(rule.endpoint, {**values, **extra}, method=method)
            assert lazy.build(rule.endpoint, {**values, **extra}, method=method) == expected, rule.rule
