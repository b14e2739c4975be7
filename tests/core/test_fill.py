"""The one fill mechanism (qms.core.fill): placeholders found across Word's runs, repeated rows,
pictures in place of a placeholder, and the checks areas register for their templates."""

import io

import docx
import segno
from docx.shared import Mm

from qms.core import fill
from qms.core.fill import Picture, fill_docx, placeholders


def _split_template() -> bytes:
    """A template as Word leaves it: placeholders cut into several runs (one bold), a header, and a
    table whose second row repeats per item."""
    document = docx.Document()
    para = document.add_paragraph()
    for piece in ("Số phiếu: {{so", "_phi", "eu}}", " – ", "{{ ten }}", " – {{khong_co}}"):
        para.add_run(piece)
    para.runs[0].bold = True
    document.add_paragraph("Mô tả: {{mo_ta}}")
    document.sections[0].header.paragraphs[0].text = "{{ten_xa}}"
    document.sections[0].footer.paragraphs[0].text = "Lập ngày {{ngay_lap}}"
    table = document.add_table(rows=2, cols=3)
    for cell, heading in zip(table.rows[0].cells, ("STT", "Nội dung", "Người thực hiện")):
        cell.text = heading
    stt, what, who = table.rows[1].cells
    stt.text = "{{hanh_dong.stt}}"
    what.paragraphs[0].add_run("{{hanh_dong.")
    what.paragraphs[0].add_run("noi_dung}}")
    who.text = "{{hanh_dong.nguoi_thuc_hien}} ({{so_phieu}})"
    other = document.add_table(rows=2, cols=1)
    other.rows[0].cells[0].text = "Chữ ký"
    other.rows[1].cells[0].text = "{{chu_ky.nguoi_ky}}"
    return _bytes(document)


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_fill_finds_placeholders_split_across_runs_and_repeats_rows():
    template = _split_template()
    assert placeholders(template) >= {"so_phieu", "ten", "khong_co", "hanh_dong.noi_dung", "ten_xa", "ngay_lap"}
    filled = docx.Document(
        io.BytesIO(
            fill_docx(
                template,
                {
                    "so_phieu": "SKPH-2026-007",
                    "ten": "Trả kết quả muộn",
                    "mo_ta": "Dòng một\nDòng hai",
                    "ten_xa": "UBND xã Hòa Bình",
                    "ngay_lap": "06/12/2026",
                    "hanh_dong": [
                        {"stt": 1, "noi_dung": "Phân công người theo dõi", "nguoi_thuc_hien": "Lê Văn Hai"},
                        {"stt": 2, "noi_dung": "Sửa quy trình {{ten}}", "nguoi_thuc_hien": "Trần Thị Ba"},
                    ],
                    "chu_ky": [],
                },
            )
        )
    )
    first = filled.paragraphs[0]
    assert first.text == "Số phiếu: SKPH-2026-007 – Trả kết quả muộn – {{khong_co}}"  # an unknown name stays
    assert first.runs[0].bold and first.runs[0].text == "Số phiếu: SKPH-2026-007"  # the first run's format
    assert filled.paragraphs[1].text == "Mô tả: Dòng một\nDòng hai"  # a line break inside the run
    assert filled.paragraphs[1].runs[0]._r.xpath("./w:br")
    assert filled.sections[0].header.paragraphs[0].text == "UBND xã Hòa Bình"
    assert filled.sections[0].footer.paragraphs[0].text == "Lập ngày 06/12/2026"
    rows = [[c.text for c in row.cells] for row in filled.tables[0].rows]
    assert rows == [
        ["STT", "Nội dung", "Người thực hiện"],
        ["1", "Phân công người theo dõi", "Lê Văn Hai (SKPH-2026-007)"],
        ["2", "Sửa quy trình {{ten}}", "Trần Thị Ba (SKPH-2026-007)"],  # typed text is not a placeholder
    ]
    assert [[c.text for c in row.cells] for row in filled.tables[1].rows] == [["Chữ ký"]]  # an empty list


# --- pictures ----------------------------------------------------------------------------------------


def _png(text, scale=4) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _blips(part):
    """The pictures drawn in a part, in order: (relationship id, width in EMU, height in EMU)."""
    found = []
    for inline in part.element.xpath(".//wp:inline"):
        (extent,) = inline.xpath("./wp:extent")
        (embed,) = inline.xpath(".//a:blip/@r:embed")
        found.append((embed, int(extent.get("cx")), int(extent.get("cy"))))
    return found


def test_a_picture_replaces_its_placeholder_inline_between_the_text_around_it():
    document = docx.Document()
    para = document.add_paragraph()
    for piece in ("Mã QR: {{ma", "_qr}} – hồ sơ {{ma_ho_so}}", " (quét để tra cứu)"):
        para.add_run(piece)
    para.runs[0].italic = True
    document.sections[0].header.paragraphs[0].text = "{{ma_qr}} {{ma_ho_so}}"
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "{{dong.ten}}"
    table.rows[0].cells[1].text = "{{dong.hinh}}"
    first, second = _png("https://xa.example/tra-cuu-ho-so?ma=A-1"), _png("B", scale=2)

    filled = docx.Document(
        io.BytesIO(
            fill_docx(
                _bytes(document),
                {
                    "ma_qr": Picture(first, 25),
                    "ma_ho_so": "TTHCC-261207-001",
                    "dong": [{"ten": "Một", "hinh": Picture(second, 10)}, {"ten": "Hai", "hinh": ""}],
                },
            )
        )
    )
    para = filled.paragraphs[0]
    # the text around the picture stays in its order and formatting; the picture is a run of its own
    assert para.text == "Mã QR:  – hồ sơ TTHCC-261207-001 (quét để tra cứu)"
    assert [r.text for r in para.runs[:3]] == ["Mã QR: ", "", " – hồ sơ TTHCC-261207-001"]
    assert para.runs[0].italic and para.runs[1].italic and para.runs[1]._r.xpath("./w:drawing")
    assert not para.runs[2].italic
    body = _blips(filled.part)
    assert len(body) == 2
    rid, width, height = body[0]
    assert filled.part.related_parts[rid].blob == first  # the picture is the one given
    assert width == height == Mm(25)  # printed 25 mm wide; a QR code is square
    assert filled.part.related_parts[body[1][0]].blob == second and body[1][1] == Mm(10)
    assert [[c.text for c in row.cells] for row in filled.tables[0].rows] == [["Một", ""], ["Hai", ""]]
    # in a header, the picture is related to the header's own part
    header = filled.sections[0].header
    assert header.paragraphs[0].text == " TTHCC-261207-001"
    (in_header,) = _blips(header.part)
    assert header.part.related_parts[in_header[0]].blob == first
    # every drawing has its own id within its part
    ids = filled.part.element.xpath("//wp:docPr/@id")
    assert len(ids) == len(set(ids)) == 2


def test_a_value_cannot_smuggle_in_a_picture_mark():
    document = docx.Document()
    document.add_paragraph("{{a}} {{b}}")
    filled = docx.Document(
        io.BytesIO(fill_docx(_bytes(document), {"a": "x\ue0000\ue001y", "b": Picture(_png("b"), 5)}))
    )
    assert filled.paragraphs[0].text == "x0y "
    assert len(_blips(filled.part)) == 1


# --- checks of templates ------------------------------------------------------------------------------


def test_registered_checks_judge_a_template_by_its_placeholders(monkeypatch):
    monkeypatch.setattr(fill, "_TEMPLATE_CHECKS", [])
    assert fill.template_refusal(None, "BM-01", _split_template()) is None  # no check: nothing refused
    seen = []

    def only_known(commune, code, names):
        seen.append((commune, code, frozenset(names)))
        unknown = sorted(n for n in names if n not in {"so_phieu", "ten"})
        return f"Mẫu có trường không xác định: {unknown[0]}" if code == "BM-01" and unknown else None

    fill.register_template_check(only_known)
    fill.register_template_check(only_known)  # once only
    assert fill.template_refusal("xã A", "BM-02", _split_template()) is None
    refusal = fill.template_refusal("xã A", "BM-01", _split_template())
    assert refusal == "Mẫu có trường không xác định: chu_ky.nguoi_ky"
    assert len(seen) == 2 and seen[1][0] == "xã A" and "hanh_dong.noi_dung" in seen[1][2]
