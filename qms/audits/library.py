"""The shipped library of internal-audit checklist questions, by ISO 9001:2015 clause (library.yaml).

`load_library()` gives the clauses 4.1 to 10.3 in order, each with its Vietnamese and English titles and
its questions; `CLAUSES` and `SECTIONS` are the clause and section headings (number, title, title_en) the
coverage matrix of audit programmes uses. The titles are written once, in library.yaml: this module knows
only the numbering of the standard (how many sub-clauses each of the sections 4 to 10 has), which it
checks the file against.

The file is read once, with PyYAML's safe loader (a mapping that names a key twice is refused instead of
keeping the last), and checked: every section 4 to 10 and every sub-clause of the standard, in order,
none missing, none added; titles present; at least one question per clause; question keys of the form
"<clause>-NN" and unique; no empty text and no text twice. A file that breaks a rule raises LibraryError
naming the entry (the section, clause or question) and what is wrong.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from importlib import resources

import yaml

LIBRARY_FILE = "library.yaml"

# The numbering of ISO 9001:2015, sections 4 to 10: how many sub-clauses each has (4.1-4.4, 5.1-5.3, ...).
# Not the titles: those are in library.yaml, the one place they are written.
_SUBCLAUSES = {"4": 4, "5": 3, "6": 3, "7": 5, "8": 7, "9": 3, "10": 3}
_NUMBERS = tuple(f"{section}.{n}" for section, count in _SUBCLAUSES.items() for n in range(1, count + 1))

_SECTION_FIELDS = ("section", "title", "title_en", "clauses")
_CLAUSE_FIELDS = ("clause", "title", "title_en", "note", "questions")
_QUESTION_FIELDS = ("key", "text", "evidence", "source")


class LibraryError(ValueError):
    """A library file that cannot be used: `source` (the file), `entry` (the section, clause or question
    concerned, in words; empty for the file as a whole) and `problem`."""

    def __init__(self, source, entry, problem):
        self.source, self.entry, self.problem = source, entry, problem
        super().__init__(f"{source}: {entry}: {problem}" if entry else f"{source}: {problem}")


@dataclasses.dataclass(frozen=True)
class Heading:
    """A section (4 to 10) or clause (4.1 to 10.3) of ISO 9001:2015 with its titles."""

    number: str
    title: str  # Vietnamese, as in TCVN ISO 9001:2015
    title_en: str  # as in ISO 9001:2015


@dataclasses.dataclass(frozen=True)
class Question:
    key: str  # "7.5-03": stable, what an audit's checklist refers to
    clause: str  # "7.5"
    text: str  # Vietnamese
    evidence: str = ""  # what the auditor looks at
    source: str = ""  # a legal basis, when there is one


@dataclasses.dataclass(frozen=True)
class Clause:
    number: str
    title: str
    title_en: str
    questions: tuple  # of Question, in the library's order
    note: str = ""  # e.g. why the clause is usually excluded at a commune

    @property
    def section(self) -> str:
        return self.number.split(".")[0]

    @property
    def heading(self) -> Heading:
        return Heading(self.number, self.title, self.title_en)


# --- reading -----------------------------------------------------------------------------------


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader, refusing a mapping that names a key twice (PyYAML keeps the last silently)."""


def _mapping(loader, node):
    seen = set()
    for key_node, _ in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key is not None and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key “{key}” is written twice in one entry", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


class _Checker:
    def __init__(self, source):
        self.source = source

    def fail(self, entry, problem):
        raise LibraryError(self.source, entry, problem)

    def fields(self, value, entry, allowed, required):
        if not isinstance(value, dict):
            self.fail(entry, f"must be a mapping of {', '.join(allowed)}")
        unknown = [str(k) for k in value if k not in allowed]
        if unknown:
            self.fail(entry, f"unknown field “{unknown[0]}” (the fields are: {', '.join(allowed)})")
        for name in required:
            if name not in value:
                self.fail(entry, f"the field “{name}” is missing")
        return value

    def text(self, value, entry, what, required=True):
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.fail(entry, f"{what} must be text")
        value = " ".join(value.split())
        if required and not value:
            self.fail(entry, f"{what} is empty")
        return value

    def number(self, value, entry, what):
        if not isinstance(value, str):
            self.fail(entry, f'{what} must be quoted text, e.g. "7.5" (found {value!r})')
        return value.strip()


def parse(text: str, source: str = "<library>") -> tuple:
    """The clauses (tuple of Clause) and sections (tuple of Heading) a library text holds, as
    (clauses, sections), or LibraryError naming the entry and what is wrong."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506  (a subclass of the safe loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise LibraryError(
            source, f"line {mark.line + 1}" if mark else "", f"not valid YAML: {error.problem}"
        ) from None
    except yaml.YAMLError as error:
        raise LibraryError(source, "", f"not valid YAML: {error}") from None
    c = _Checker(source)
    if not isinstance(data, dict) or set(data) != {"sections"} or not isinstance(data["sections"], list):
        c.fail("", "the file must hold one mapping, “sections”, listing the sections 4 to 10")

    expected_sections = list(_SUBCLAUSES)
    sections, clauses, keys, texts = [], [], {}, {}
    for index, raw in enumerate(data["sections"], 1):
        entry = f"section {raw.get('section')!s}" if isinstance(raw, dict) and "section" in raw else f"section #{index}"
        c.fields(raw, entry, _SECTION_FIELDS, required=_SECTION_FIELDS)
        number = c.number(raw["section"], entry, "the section number")
        entry = f"section {number}"
        if number not in _SUBCLAUSES:
            c.fail(entry, "not a section of ISO 9001:2015 clauses 4 to 10")
        if len(sections) == len(expected_sections):
            c.fail(entry, "repeated (sections 4 to 10, each once)")
        if number != expected_sections[len(sections)]:
            c.fail(entry, f"out of order or repeated: section {expected_sections[len(sections)]} is expected here")
        sections.append(
            Heading(number, c.text(raw["title"], entry, "the title"), c.text(raw["title_en"], entry, "title_en"))
        )
        if not isinstance(raw["clauses"], list):
            c.fail(entry, "“clauses” must be a list")
        expected_clauses = [n for n in _NUMBERS if n.split(".")[0] == number]
        found = []
        for clause_index, raw_clause in enumerate(raw["clauses"], 1):
            clause = _clause(c, raw_clause, f"section {number}, clause #{clause_index}", keys, texts)
            if clause.number not in _NUMBERS:
                c.fail(f"clause {clause.number}", "not a clause of ISO 9001:2015 (4.1 to 10.3)")
            if clause.section != number:
                c.fail(f"clause {clause.number}", f"listed under section {number}")
            if len(found) == len(expected_clauses):
                c.fail(
                    f"clause {clause.number}", f"repeated (section {number} has clauses up to {expected_clauses[-1]})"
                )
            if clause.number != expected_clauses[len(found)]:
                c.fail(
                    f"clause {clause.number}",
                    f"out of order or repeated: clause {expected_clauses[len(found)]} is expected here",
                )
            found.append(clause)
        if len(found) < len(expected_clauses):
            c.fail(entry, f"clause {expected_clauses[len(found)]} is missing")
        clauses.extend(found)
    if len(sections) < len(expected_sections):
        c.fail("", f"section {expected_sections[len(sections)]} is missing")
    return tuple(clauses), tuple(sections)


def _clause(c, raw, entry, keys, texts):
    if isinstance(raw, dict) and isinstance(raw.get("clause"), str):
        entry = f"clause {raw['clause'].strip()}"
    c.fields(raw, entry, _CLAUSE_FIELDS, required=("clause", "title", "title_en", "questions"))
    number = c.number(raw["clause"], entry, "the clause number")
    if not re.fullmatch(r"\d+\.\d+", number):
        c.fail(entry, "a clause number is written like “7.5”")
    title = c.text(raw["title"], entry, "the title")
    title_en = c.text(raw["title_en"], entry, "title_en")
    note = c.text(raw.get("note"), entry, "the note", required=False)
    if not isinstance(raw["questions"], list) or not raw["questions"]:
        c.fail(entry, "has no questions (each clause needs at least one)")
    key_form = re.compile(rf"{re.escape(number)}-\d\d")
    questions = []
    for index, item in enumerate(raw["questions"], 1):
        where = f"{entry}, question #{index}"
        if isinstance(item, dict) and isinstance(item.get("key"), str) and item["key"].strip():
            where = f"{entry}, question {item['key'].strip()}"
        c.fields(item, where, _QUESTION_FIELDS, required=("key", "text"))
        key = c.text(item["key"], where, "the key")
        if not key_form.fullmatch(key):
            c.fail(where, f"the key must be “{number}-NN” (two digits), e.g. “{number}-01”")
        if key in keys:
            c.fail(where, f"the key is used twice (also in clause {keys[key]})")
        keys[key] = number
        text = c.text(item["text"], where, "the text")
        same = text.casefold()
        if same in texts:
            c.fail(where, f"the same text as question {texts[same]}")
        texts[same] = key
        evidence = c.text(item.get("evidence"), where, "the evidence", required=False)
        source = c.text(item.get("source"), where, "the source", required=False)
        questions.append(Question(key, number, text, evidence, source))
    return Clause(number, title, title_en, tuple(questions), note)


# --- the shipped library --------------------------------------------------------------------------


@functools.cache
def _shipped() -> tuple:
    path = resources.files(__package__) / LIBRARY_FILE
    return parse(path.read_text(encoding="utf-8"), f"qms/audits/{LIBRARY_FILE}")


def load_library() -> tuple:
    """The shipped library: every clause 4.1 to 10.3 in order (tuple of Clause), read once."""
    return _shipped()[0]


def clauses() -> tuple:
    """The ISO 9001:2015 clauses 4.1 to 10.3 with their titles (tuple of Heading), from the library."""
    return tuple(clause.heading for clause in load_library())


def sections() -> tuple:
    """The ISO 9001:2015 sections 4 to 10 with their titles (tuple of Heading), from the library."""
    return _shipped()[1]


def questions_for(numbers) -> tuple:
    """The library's questions of the clauses `numbers` (e.g. ["7.5", "8.5"]), in the library's order;
    an unknown clause number raises KeyError."""
    wanted = set(numbers)
    unknown = wanted - set(_NUMBERS)
    if unknown:
        raise KeyError(f"not an ISO 9001:2015 clause of sections 4 to 10: {', '.join(sorted(unknown))}")
    return tuple(q for clause in load_library() if clause.number in wanted for q in clause.questions)


def __getattr__(name):
    # CLAUSES and SECTIONS are read from the file when first asked for, not when the module is imported.
    if name == "CLAUSES":
        return clauses()
    if name == "SECTIONS":
        return sections()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
