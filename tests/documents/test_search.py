"""Search by code, title and file text, insensitive to case and Vietnamese diacritics, on SQLite
(FTS5) and PostgreSQL (tsvector) alike."""

import io

import docx
import pytest

from qms.db import db
from qms.documents.models import DocumentKind, SearchEntry, VersionStatus
from qms.documents.search import fold, index_version, search_version_ids, tokens
from qms.files.uploads import check_upload
from tests.documents.rows import add_document, add_version


def test_fold_removes_case_diacritics_and_extra_spaces():
    assert fold("Chứng thực") == "chung thuc"
    assert fold("  ĐĂNG   KÝ\tkhai\nsinh ") == "dang ky khai sinh"
    assert fold("Đường đi") == "duong di"
    assert fold("Hòa Bình, Thừa Thiên Huế") == "hoa binh, thua thien hue"
    assert fold("") == "" and fold(None) == ""


def test_tokens_split_codes():
    assert tokens("BM-01-QT-01") == ["bm", "01", "qt", "01"]
    assert tokens("Quyết định số 1.001193/QĐ") == ["quyet", "dinh", "so", "1", "001193", "qd"]


@pytest.fixture
def corpus(world):
    a, b = world["a"], world["b"]
    author_a, author_b = a["users"]["quality_officer"], b["users"]["quality_officer"]
    ca, cb = a["commune"], b["commune"]
    docs = {}
    docs["chung_thuc"] = add_version(
        add_document(ca, "QT-07", "Chứng thực bản sao từ bản chính", field="Chứng thực"),
        author_a,
        text_content="Công chức tư pháp - hộ tịch kiểm tra bản chính và ký chứng thực.",
    )
    docs["khai_sinh"] = add_version(
        add_document(ca, "QT-06", "Đăng ký khai sinh", field="Hộ tịch"),
        author_a,
        text_content="Tiếp nhận tờ khai đăng ký khai sinh và giấy chứng sinh.",
    )
    docs["form"] = add_version(
        add_document(ca, "BM-01-QT-01", "Phiếu đề nghị sửa đổi tài liệu", kind=DocumentKind.form),
        author_a,
        change_summary="Thêm cột lý do",
        text_content="Phiếu đề nghị",
    )
    # the text of a Word table cell, as the upload extracts it into text_content
    table_doc = docx.Document()
    table = table_doc.add_table(rows=2, cols=2)
    table.cell(1, 1).text = "Lệ phí trích lục hộ tịch tám nghìn đồng"
    buffer = io.BytesIO()
    table_doc.save(buffer)
    cell_text = check_upload("bang.docx", buffer.getvalue(), max_bytes=10 * 2**20).text
    assert "tám nghìn" in cell_text
    docs["table"] = add_version(
        add_document(ca, "QT-09", "Cấp bản sao trích lục hộ tịch"), author_a, text_content=cell_text
    )
    docs["draft"] = add_version(
        add_document(ca, "QT-10", "Chứng thực chữ ký"),
        author_a,
        status=VersionStatus.draft,
        text_content="chữ ký người yêu cầu chứng thực",
    )
    docs["other_commune"] = add_version(
        add_document(cb, "QT-07", "Chứng thực bản sao từ bản chính"),
        author_b,
        text_content="Chứng thực bản sao; đăng ký khai sinh; trích lục",
    )
    db.session.commit()
    return {"a": ca, "b": cb, **{key: v.id for key, v in docs.items()}}


def ids(corpus, q, **kw):
    return search_version_ids(corpus["a"].id, q, **kw)


def test_without_diacritics_or_in_capitals_finds_the_title(corpus):
    expected = {corpus["chung_thuc"], corpus["draft"]}
    assert set(ids(corpus, "chung thuc")) == expected
    assert set(ids(corpus, "CHỨNG THỰC")) == expected
    assert set(ids(corpus, "Chứng thực bản sao")) == {corpus["chung_thuc"]}


def test_with_and_without_diacritics_give_the_same_result(corpus):
    with_marks = ids(corpus, "đăng ký khai sinh")
    assert with_marks == [corpus["khai_sinh"]]
    assert ids(corpus, "dang ky khai sinh") == with_marks
    assert ids(corpus, "DANG KY KHAI SINH") == with_marks


def test_partial_words_match_as_prefixes(corpus):
    assert ids(corpus, "chung th ban") == [corpus["chung_thuc"]]


def test_every_word_must_match(corpus):
    assert ids(corpus, "chứng thực khai sinh") == []


def test_codes_are_found_by_their_parts(corpus):
    assert ids(corpus, "BM-01-QT-01") == [corpus["form"]]
    assert ids(corpus, "bm-01") == [corpus["form"]]
    assert ids(corpus, "BM 01 QT") == [corpus["form"]]
    assert ids(corpus, "qt-07") == [corpus["chung_thuc"]]


def test_change_summary_and_file_text_are_searched(corpus):
    assert ids(corpus, "cột lý do") == [corpus["form"]]
    assert ids(corpus, "giấy chứng sinh") == [corpus["khai_sinh"]]


def test_text_of_a_word_table_cell_is_found(corpus):
    assert ids(corpus, "tam nghin dong") == [corpus["table"]]


def test_a_commune_never_finds_another_communes_documents(corpus):
    found_b = search_version_ids(corpus["b"].id, "chung thuc")
    assert found_b == [corpus["other_commune"]]
    assert corpus["other_commune"] not in ids(corpus, "chung thuc ban sao")
    assert ids(corpus, "trich luc") == [corpus["table"]]


def test_status_and_kind_filters(corpus):
    assert ids(corpus, "chung thuc", statuses=[VersionStatus.effective]) == [corpus["chung_thuc"]]
    assert ids(corpus, "chung thuc", statuses=["draft"]) == [corpus["draft"]]
    assert ids(corpus, "phieu", kinds=[DocumentKind.form]) == [corpus["form"]]
    assert ids(corpus, "phieu", kinds=["procedure"]) == []
    assert ids(corpus, "chung thuc", statuses=[]) == []


def test_best_match_comes_first(corpus, world):
    author = world["a"]["users"]["quality_officer"]
    strong = add_version(
        add_document(corpus["a"], "QT-20", "Sổ hộ tịch"),
        author,
        text_content="hộ tịch hộ tịch hộ tịch hộ tịch hộ tịch hộ tịch",
    )
    found = ids(corpus, "ho tich")
    assert found[0] == strong.id
    assert set(found) == {strong.id, corpus["table"], corpus["chung_thuc"]}


def test_equal_relevance_is_ordered_by_code(corpus, world):
    author = world["a"]["users"]["quality_officer"]
    later = add_version(add_document(corpus["a"], "QT-31", "Sổ tay"), author)
    earlier = add_version(add_document(corpus["a"], "QT-30", "Sổ tay"), author)
    assert ids(corpus, "so tay") == [earlier.id, later.id]


def test_limit(corpus):
    assert len(ids(corpus, "qt", limit=2)) == 2
    assert ids(corpus, "qt", limit=0) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "***",
        '"',
        "''",
        "()",
        "-",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "*",
        ":",
        "^",
    ],
)
def test_empty_or_punctuation_queries_find_nothing(corpus, query):
    result = ids(corpus, query)
    assert result == [] or all(isinstance(i, int) for i in result)
    if not tokens(query):
        assert result == []


@pytest.mark.parametrize(
    "query",
    [
        "chung OR khai",
        'chung" OR "khai',
        "chung*",
        "NEAR(chung khai)",
        "(chung) OR (khai)",
        "chung NOT thuc",
        "'; DROP TABLE documents; --",
        "1' OR '1'='1",
        "folded:chung",
        "chung & | ! khai",
        "chung:* | khai:*",
        "\\",
        "\x00chung",
    ],
)
def test_query_syntax_is_never_interpreted(corpus, query):
    everything = set(ids(corpus, "qt")) | {corpus["form"]}
    result = set(ids(corpus, query))
    assert result != everything
    # each query is read as plain words, all of which must appear
    assert result == set(ids(corpus, " ".join(tokens(query))))
    db.session.rollback()  # the session is still usable: nothing errored
    assert ids(corpus, "khai sinh") == [corpus["khai_sinh"]]


def test_index_version_is_idempotent_and_follows_changes(corpus, world):
    author = world["a"]["users"]["quality_officer"]
    version = add_version(
        add_document(corpus["a"], "HD-01", "Hướng dẫn lưu trữ", kind=DocumentKind.instruction),
        author,
        text_content="Lưu hồ sơ vào tủ",
    )
    index_version(version)
    index_version(version)
    assert db.session.query(SearchEntry).filter_by(version_id=version.id).count() == 1
    assert ids(corpus, "luu tru") == [version.id]
    version.files[0].text_content = "Số hóa hồ sơ"
    index_version(version)
    db.session.commit()
    assert ids(corpus, "so hoa") == [version.id]
    assert ids(corpus, "vao tu") == []


def test_a_very_long_text_stays_searchable_by_every_word(corpus, world):
    author = world["a"]["users"]["quality_officer"]
    long_text = "bien ban " * 60_000 + " tu khoa cuoi cung"
    version = add_version(
        add_document(corpus["a"], "HS-01", "Hồ sơ dài", kind=DocumentKind.internal), author, text_content=long_text
    )
    db.session.commit()
    entry = db.session.get(SearchEntry, version.id)
    assert len(entry.folded) < 310_000
    assert ids(corpus, "khoa cuoi cung") == [version.id]


@pytest.mark.parametrize("query", ["%", "_", "%%", "_%_"])
def test_percent_and_underscore_are_not_wildcards(corpus, world, query):
    """On the documents list and the current forms, % and _ are the characters typed: a code or a
    title matches only if it contains them."""
    from qms.documents import queries

    reader = world["a"]["users"]["quality_officer"]
    assert queries.list_documents(reader, q=query).items == []
    assert queries.current_files(reader.commune_id, q=query) == []


def test_a_title_with_a_percent_sign_is_found_by_it(corpus, world):
    from qms.documents import queries

    a = world["a"]
    add_version(add_document(a["commune"], "QT-30", "Tỷ lệ 100% hồ sơ đúng hạn"), a["users"]["quality_officer"])
    db.session.commit()
    found = queries.list_documents(a["users"]["quality_officer"], q="100%")
    assert [d.code for d in found.items] == ["QT-30"]
