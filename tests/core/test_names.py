"""People in Vietnamese order (qms.core.names): by given name (the last word of a full name), then
family name, then middle names; letters in the order of the Vietnamese alphabet, tones after letters."""

import pytest

from qms.core.names import by_name, name_sort_key

NAMES = ["Trần Văn Quản", "Nguyễn Thị Chất", "Đỗ Thu Hà", "Lê Văn Lãnh", "Phạm Thị Một", "Hoàng Văn Kiểm", "Vũ Minh Hệ"]


def ordered(names):
    return by_name(names, name=lambda name: name)


def test_people_are_ordered_by_given_name_whatever_their_family_name():
    assert ordered(NAMES) == [
        "Nguyễn Thị Chất",
        "Đỗ Thu Hà",
        "Vũ Minh Hệ",
        "Hoàng Văn Kiểm",
        "Lê Văn Lãnh",
        "Phạm Thị Một",
        "Trần Văn Quản",
    ]


def test_a_name_starting_with_d_stroke_is_not_listed_after_z():
    # Code points put "Đ" (U+0110) after "Z": the given names here start with them.
    assert ordered(["Bùi Văn Zũ", "Lê Thị Đào", "Trần Dung", "Mai Em"]) == [
        "Trần Dung",
        "Lê Thị Đào",
        "Mai Em",
        "Bùi Văn Zũ",
    ]


@pytest.mark.parametrize(
    "earlier, later",
    [
        ("Lê An", "Lê Ăn"),  # a < ă < â
        ("Lê Ăn", "Lê Ân"),
        ("Lê Ân", "Lê Bình"),
        ("Lê Dung", "Lê Đông"),  # d < đ < e
        ("Lê Đông", "Lê Em"),
        ("Lê Em", "Lê Ên"),  # e < ê
        ("Lê On", "Lê Ôn"),  # o < ô < ơ
        ("Lê Ôn", "Lê Ơn"),
        ("Lê Uy", "Lê Ưng"),  # u < ư, letter by letter before tones
        ("Lê Ha", "Lê Hà"),  # tones after letters: none, huyền, hỏi, ngã, sắc, nặng
        ("Lê Hà", "Lê Hả"),
        ("Lê Hả", "Lê Hã"),
        ("Lê Hã", "Lê Há"),
        ("Lê Há", "Lê Hạ"),
        ("Lê Hạ", "Lê Hai"),  # the letters decide first: "ha" before "hai", whatever the tones
        ("Lê Hải", "Lê Hân"),
        ("Lê Văn An", "Nguyễn An"),  # same given name: the family name decides
        ("Nguyễn An", "Nguyễn Thị An"),  # then the middle names
        ("Nguyễn Thị An", "Nguyễn Văn An"),
    ],
)
def test_letters_then_tones(earlier, later):
    assert name_sort_key(earlier) < name_sort_key(later)
    assert ordered([later, earlier]) == [earlier, later]


def test_case_and_where_the_tone_is_written_do_not_matter():
    assert name_sort_key("nguyễn thị hòa")[:3] == name_sort_key("NGUYỄN THỊ HOÀ")[:3]
    assert name_sort_key("Lê Hòa")[:3] == name_sort_key("Lê Hoà")[:3]


def test_one_word_and_empty_names_sort_without_error():
    assert ordered(["Hà", "", "An"]) == ["", "An", "Hà"]
