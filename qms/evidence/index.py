"""The pack's index (index.docx): a Vietnamese document laid out per Decree 30/2020 (qms.core.exports)
that says what the pack is about, the records in words, every file with its SHA-256, the audit chain's
head and last signed checkpoint, and how to check the pack."""

from docx.enum.text import WD_ALIGN_PARAGRAPH

from qms.core.calendar import format_datetime, local_today, to_local
from qms.core.exports import (
    BODY_PT,
    date_line,
    field_table,
    grid_table,
    issuer_lines,
    national_header,
    new_document,
    page_numbers_from_second_page,
    paragraph,
    place_name,
    section_heading,
    to_bytes,
)

TITLE = "HỒ SƠ BẰNG CHỨNG"
KIND_NAMES = {"document": "Tài liệu", "nonconformity": "Sự không phù hợp", "audit": "Cuộc đánh giá nội bộ"}
FILE_COLUMNS = [
    ("STT", "n", 12, True),
    ("Tệp", "path", 73, False),
    ("Kích thước (byte)", "size", 25, True),
    ("SHA-256 (16 ký tự đầu)", "sha", 55, False),
]
NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def index_docx(contents, manifest, files) -> bytes:
    """The index of a pack about `contents`, with `manifest`'s head and checkpoint and `files` (the
    pack's files written before it)."""
    document = new_document()
    commune = contents.commune
    generated = to_local(_parse(manifest["generated_at"]))
    national_header(document, issuer_lines(commune.name), date_line(place_name(commune), local_today()))
    paragraph(document, TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT + 1, bold=True, before=18, after=2)
    paragraph(document, contents.name, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, after=12)
    numbers = iter(NUMERALS)
    section_heading(document, f"{next(numbers)}. THÔNG TIN CHUNG")
    field_table(
        document,
        [
            ("Đối tượng", KIND_NAMES[contents.kind.value]),
            *contents.summary,
            ("Người lập hồ sơ", manifest["generated_by"]["name"]),
            ("Thời điểm lập", format_datetime(generated, seconds=True)),
        ],
    )
    for grid in contents.grids:
        section_heading(document, f"{next(numbers)}. {grid.heading.upper()}")
        grid_table(document, grid.columns, [_text_row(row) for row in grid.rows], grid.empty)
    section_heading(document, f"{next(numbers)}. CÁC TỆP TRONG HỒ SƠ")
    paragraph(
        document,
        "Mã SHA-256 đầy đủ của từng tệp có trong tệp manifest.json; nhật ký các sự kiện của những hồ sơ "
        "trên có trong tệp events.csv.",
        size=BODY_PT,
        after=4,
    )
    grid_table(
        document,
        FILE_COLUMNS,
        [
            {"n": n, "path": f["path"], "size": f"{f['size']:,}".replace(",", "."), "sha": f["sha256"][:16]}
            for n, f in enumerate(files, start=1)
        ],
        "Không có tệp nào.",
    )
    section_heading(document, f"{next(numbers)}. NHẬT KÝ KIỂM TRA TẠI THỜI ĐIỂM LẬP")
    head, checkpoint = manifest["chain_head"], manifest["last_checkpoint"]
    rows = [("Sự kiện cuối cùng (số thứ tự)", str(head["seq"])), ("Mã băm của sự kiện cuối", head["hash"])]
    if checkpoint:
        rows += [
            ("Điểm kiểm tra đã ký gần nhất", f"Sự kiện số {checkpoint['seq']}"),
            ("Thời điểm ký điểm kiểm tra", format_datetime(to_local(_parse(checkpoint["created_at"])))),
            ("Mã băm tại điểm kiểm tra", checkpoint["hash"]),
        ]
    else:
        rows.append(("Điểm kiểm tra đã ký gần nhất", "Chưa có"))
    field_table(document, rows)
    if manifest.get("notes"):
        section_heading(document, f"{next(numbers)}. GHI CHÚ")
        for note in manifest["notes"]:
            paragraph(document, f"- {note}", size=BODY_PT, after=2)
    paragraph(
        document,
        "Cách kiểm tra: chạy lệnh “qms evidence verify <tệp hồ sơ>.zip”; lệnh so từng tệp với mã SHA-256 "
        "ghi trong manifest.json và, trên máy chủ của hệ thống, đối chiếu sự kiện cuối với nhật ký.",
        size=BODY_PT,
        italic=True,
        before=12,
    )
    page_numbers_from_second_page(document)
    return to_bytes(document)


def _text_row(row) -> dict:
    return {key: "" if value is None else value for key, value in row.items()}


def _parse(value):
    import datetime as dt

    return dt.datetime.fromisoformat(value)
