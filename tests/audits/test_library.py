"""The shipped library of internal-audit checklist questions (qms.audits.library): it loads, covers every
ISO 9001:2015 clause 4.1 to 10.3 in Vietnamese, and a broken library is refused naming the entry."""

import fnmatch
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
import yaml

from qms.audits import library

CLAUSES = (
    "4.1 4.2 4.3 4.4 5.1 5.2 5.3 6.1 6.2 6.3 7.1 7.2 7.3 7.4 7.5 8.1 8.2 8.3 8.4 8.5 8.6 8.7 9.1 9.2 9.3 10.1 10.2 10.3"
).split()


def shipped_data():
    return yaml.safe_load((resources.files("qms.audits") / "library.yaml").read_text(encoding="utf-8"))


def as_text(data):
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def refused(text):
    with pytest.raises(library.LibraryError) as caught:
        library.parse(text, "test.yaml")
    return caught.value


def clause_of(data, number):
    return next(c for s in data["sections"] for c in s["clauses"] if c["clause"] == number)


# --- the shipped library -------------------------------------------------------------------------


def test_the_shipped_library_covers_every_clause_in_order_with_at_least_70_questions():
    clauses = library.load_library()
    assert [c.number for c in clauses] == CLAUSES
    assert all(c.questions for c in clauses)
    assert sum(len(c.questions) for c in clauses) >= 70
    assert all(q.clause == c.number for c in clauses for q in c.questions)
    assert library.load_library() is clauses  # read once


def test_keys_are_unique_and_of_the_clause():
    questions = [q for c in library.load_library() for q in c.questions]
    assert len({q.key for q in questions}) == len(questions)
    assert all(re.fullmatch(rf"{re.escape(q.clause)}-\d\d", q.key) for q in questions)


def test_the_questions_are_vietnamese_questions():
    questions = [q for c in library.load_library() for q in c.questions]
    for q in questions:
        assert q.text.endswith("?"), q.key
        assert any(ord(ch) > 127 for ch in q.text), q.key  # diacritics: Vietnamese, not ASCII
        assert "  " not in q.text and q.text == q.text.strip(), q.key
    assert len({q.text.casefold() for q in questions}) == len(questions)
    for clause in library.load_library():
        assert any(ord(ch) > 127 for ch in clause.title), clause.number
        assert clause.title_en.isascii() and clause.title_en, clause.number


def test_clause_titles_are_those_of_the_standard():
    titles = {h.number: (h.title, h.title_en) for h in library.CLAUSES}
    assert titles["7.5"] == ("Thông tin dạng văn bản", "Documented information")
    assert titles["9.2"] == ("Đánh giá nội bộ", "Internal audit")
    assert titles["8.7"] == ("Kiểm soát đầu ra không phù hợp", "Control of nonconforming outputs")
    assert [h.number for h in library.CLAUSES] == CLAUSES
    assert [(h.number, h.title_en) for h in library.SECTIONS] == [
        ("4", "Context of the organization"),
        ("5", "Leadership"),
        ("6", "Planning"),
        ("7", "Support"),
        ("8", "Operation"),
        ("9", "Performance evaluation"),
        ("10", "Improvement"),
    ]
    assert library.SECTIONS[0].title == "Bối cảnh của tổ chức"


def test_design_and_development_is_marked_usually_excluded_with_a_question_on_the_exclusion():
    design = next(c for c in library.load_library() if c.number == "8.3")
    assert design.note
    assert any("loại trừ" in q.text for q in design.questions)


def test_questions_for_clauses_in_library_order():
    by_number = {c.number: c for c in library.load_library()}
    picked = library.questions_for(["8.5", "7.5"])
    assert picked == by_number["7.5"].questions + by_number["8.5"].questions
    with pytest.raises(KeyError, match="11.1"):
        library.questions_for(["7.5", "11.1"])


def test_the_shipped_file_is_unchanged_by_a_round_trip_of_its_data():
    # The file as data parses to the same library: what the tests below break is the shipped content.
    clauses, sections = library.parse(as_text(shipped_data()), "copy.yaml")
    assert clauses == library.load_library() and sections == library.SECTIONS


# --- a broken library is refused, naming the entry ---------------------------------------------


def test_a_question_key_used_twice_is_refused():
    data = shipped_data()
    questions = clause_of(data, "7.5")["questions"]
    questions[2]["key"] = questions[1]["key"]
    error = refused(as_text(data))
    assert error.entry == "clause 7.5, question 7.5-02"
    assert "twice" in error.problem and "test.yaml" in str(error)


def test_an_unknown_clause_is_refused():
    data = shipped_data()
    data["sections"][-1]["clauses"].append(
        {"clause": "11.1", "title": "Không có", "title_en": "None", "questions": [{"key": "11.1-01", "text": "Có?"}]}
    )
    error = refused(as_text(data))
    assert error.entry == "clause 11.1" and "not a clause" in error.problem

    data = shipped_data()
    data["sections"].append({"section": "11", "title": "Không có", "title_en": "None", "clauses": []})
    error = refused(as_text(data))
    assert error.entry == "section 11" and "not a section" in error.problem


def test_an_empty_text_is_refused():
    data = shipped_data()
    clause_of(data, "9.2")["questions"][0]["text"] = "   "
    error = refused(as_text(data))
    assert error.entry == "clause 9.2, question 9.2-01" and error.problem == "the text is empty"


def test_a_text_written_twice_is_refused():
    data = shipped_data()
    clause_of(data, "10.3")["questions"][0]["text"] = clause_of(data, "4.1")["questions"][0]["text"].upper()
    error = refused(as_text(data))
    assert error.entry == "clause 10.3, question 10.3-01" and "question 4.1-01" in error.problem


@pytest.mark.parametrize(
    ("change", "entry", "problem"),
    [
        (lambda d: clause_of(d, "7.5")["questions"][0].update(key="7.4-99"), "clause 7.5, question 7.4-99", "7.5-NN"),
        (lambda d: clause_of(d, "7.5")["questions"][0].update(key="7.5-1"), "clause 7.5, question 7.5-1", "7.5-NN"),
        (lambda d: clause_of(d, "6.3").update(questions=[]), "clause 6.3", "no questions"),
        (lambda d: clause_of(d, "6.3").pop("title_en"), "clause 6.3", "“title_en” is missing"),
        (lambda d: clause_of(d, "5.2")["questions"][0].update(evidance="x"), "clause 5.2, question 5.2-01", "evidance"),
        (lambda d: d["sections"][0]["clauses"].pop(2), "clause 4.4", "4.3 is expected"),
        (lambda d: d["sections"][0]["clauses"].pop(), "section 4", "4.4 is missing"),
        (lambda d: d["sections"][1]["clauses"].append(clause_of(d, "6.1")), "clause 6.1", "under section 5"),
        (lambda d: d["sections"].pop(), "", "section 10 is missing"),
        (lambda d: d["sections"].insert(0, d["sections"].pop(1)), "section 5", "section 4 is expected"),
        (lambda d: clause_of(d, "8.1").update(clause=8.1), "clause #1", "quoted"),
    ],
)
def test_other_broken_entries_are_refused_by_name(change, entry, problem):
    data = shipped_data()
    change(data)
    error = refused(as_text(data))
    assert entry in error.entry and problem in error.problem


def test_a_field_written_twice_in_one_entry_is_refused_with_its_line():
    # PyYAML alone would keep the second text and lose the first without a word.
    text = 'sections:\n  - section: "4"\n    title: Bối cảnh của tổ chức\n    title: Hỗ trợ\n'
    error = refused(text)
    assert error.entry == "line 4" and "“title” is written twice" in error.problem


def test_not_yaml_or_not_a_library_is_refused():
    assert "not valid YAML" in refused("sections: [\n").problem
    assert "sections" in refused("- 1\n- 2\n").problem
    assert "sections" in refused("").problem


# --- packaging -------------------------------------------------------------------------------------


def test_the_package_data_ships_the_library():
    # A wheel holds the non-Python files pyproject.toml's package-data names (checked by hand with
    # `pip wheel . --no-deps` and `unzip -l`; building one here would take too long).
    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["qms"]
    assert any(fnmatch.fnmatch("audits/library.yaml", pattern) for pattern in patterns)
    assert (root / "qms" / "audits" / "library.yaml").is_file()
