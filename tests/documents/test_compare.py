"""Comparing two versions: rows of equal, changed, added and removed lines, changed words marked, and
the side-by-side partial rendering them safely."""

import re

from flask import render_template_string

from qms.documents.compare import ADDED, CHANGED, EQUAL, REMOVED, Row, compare_texts, compare_versions, has_differences
from qms.documents.models import VersionStatus
from tests.documents.rows import add_document, add_version

OLD = """1. Mục đích
Quy định trình tự đăng ký khai sinh.
Thời hạn giải quyết: 03 ngày làm việc.
Lưu hồ sơ tại bộ phận một cửa.
Biểu mẫu cũ không còn dùng."""

NEW = """1. Mục đích
Quy định trình tự đăng ký khai sinh.
Thời hạn giải quyết: trong ngày làm việc.
Lưu hồ sơ tại bộ phận một cửa.
Trả kết quả qua dịch vụ bưu chính công ích."""


def _text(spans):
    return "".join(text for text, _changed in spans)


def test_identical_texts_give_only_equal_rows():
    rows = compare_texts(OLD, OLD)
    assert [r.kind for r in rows] == [EQUAL] * 5
    assert [(r.left_no, r.right_no) for r in rows] == [(i, i) for i in range(1, 6)]
    assert not has_differences(rows)


def test_rows_show_each_kind_of_difference_in_order():
    rows = compare_texts(OLD, NEW)
    assert [r.kind for r in rows] == [EQUAL, EQUAL, CHANGED, EQUAL, REMOVED, ADDED]
    changed = rows[2]
    assert (changed.left_no, changed.right_no) == (3, 3)
    assert _text(changed.left) == "Thời hạn giải quyết: 03 ngày làm việc."
    assert _text(changed.right) == "Thời hạn giải quyết: trong ngày làm việc."
    # only the changed word is marked, not the whole line
    assert [t for t, c in changed.left if c] == ["03"]
    assert [t for t, c in changed.right if c] == ["trong"]
    assert ("Thời hạn giải quyết: ", False) in changed.left
    removed, added = rows[4], rows[5]
    assert removed.right == [] and removed.right_no is None and removed.left_no == 5
    assert added.left == [] and added.left_no is None and added.right_no == 5
    assert removed.left == [("Biểu mẫu cũ không còn dùng.", True)]
    assert has_differences(rows)


def test_pure_additions_and_removals():
    rows = compare_texts("a\nb", "a\nb\nc\nd")
    assert [(r.kind, r.right_no) for r in rows] == [(EQUAL, 1), (EQUAL, 2), (ADDED, 3), (ADDED, 4)]
    rows = compare_texts("a\nx\nb", "a\nb")
    assert [(r.kind, r.left_no) for r in rows] == [(EQUAL, 1), (REMOVED, 2), (EQUAL, 3)]


def test_empty_sides():
    assert compare_texts("", "") == []
    assert [r.kind for r in compare_texts("", "một\nhai")] == [ADDED, ADDED]
    assert [r.kind for r in compare_texts("một", None)] == [REMOVED]


def test_blank_lines_and_trailing_spaces_are_not_differences():
    assert not has_differences(compare_texts("a  \n\n\nb", "a\nb\n"))


def test_unrelated_replacement_is_removal_and_addition_not_a_change():
    rows = compare_texts("Chính sách chất lượng", "Bảng 5: xyz 123")
    assert [r.kind for r in rows] == [REMOVED, ADDED]


def test_uneven_replacement_keeps_every_line():
    rows = compare_texts("Bước 1: tiếp nhận hồ sơ\nBước 2: thẩm định", "Bước 1: tiếp nhận hồ sơ trực tuyến")
    assert [r.kind for r in rows] == [CHANGED, REMOVED]
    assert [t for t, c in rows[0].right if c] == [" trực tuyến"]


def test_compare_versions_uses_the_text_of_the_files(world):
    a = world["a"]
    document = add_document(a["commune"], "QT-06", "Đăng ký khai sinh")
    author = a["users"]["quality_officer"]
    old = add_version(document, author, issue_no=1, status=VersionStatus.superseded, text_content=OLD, index=False)
    new = add_version(document, author, issue_no=2, text_content=NEW, index=False)
    assert [r.kind for r in compare_versions(old, new)] == [EQUAL, EQUAL, CHANGED, EQUAL, REMOVED, ADDED]


def _render(app, rows):
    with app.test_request_context("/"):
        return render_template_string(
            "{% include 'documents/_compare.html' %}", rows=rows, left_label="Lần 01", right_label="Lần 02"
        )


def test_partial_renders_side_by_side_with_marks(app):
    html = _render(app, compare_texts(OLD, NEW))
    assert 'id="compare-table"' in html
    assert html.count('<tr class="compare-equal">') == 3
    assert html.count('<tr class="compare-changed">') == 1
    assert html.count('<tr class="compare-removed">') == 1 and html.count('<tr class="compare-added">') == 1
    assert '<del class="compare-mark">03</del>' in html and '<ins class="compare-mark">trong</ins>' in html
    assert "Lần 01" in html and "Lần 02" in html
    assert 'id="compare-summary"' in html


def test_partial_escapes_the_text_and_uses_no_inline_style_or_script(app):
    hostile = '<script>alert("x")</script> <b onclick="x()">bold</b>'
    html = _render(app, compare_texts("dòng cũ", hostile))
    assert "<script>" not in html and "<b onclick" not in html
    assert "&lt;script&gt;" in html
    tags = re.findall(r"<[^>]*>", html)
    assert not [t for t in tags if re.search(r"\s(style|on\w+)=", t)]


def test_partial_says_when_nothing_changed_or_nothing_to_compare(app):
    assert 'id="compare-same"' in _render(app, compare_texts("a", "a"))
    assert 'id="compare-empty"' in _render(app, [])
    assert 'id="compare-table"' not in _render(app, [])


def test_row_defaults():
    row = Row(EQUAL)
    assert row.left == [] and row.right == [] and row.left_no is None
