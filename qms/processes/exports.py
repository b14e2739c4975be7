"""The drawn process inside its process document (.docx): an appendix with the diagram and the
table of steps, appended to the document's file, or replacing the appendix an earlier import wrote
(found by its heading), so that a process document and its map never tell two stories."""

from __future__ import annotations

import io

from qms.core import exports
from qms.processes import maps

APPENDIX_HEADING = "PHỤ LỤC: LƯU ĐỒ QUY TRÌNH NỘI BỘ"
ONLINE_WORDS = {"fully": "Toàn trình", "partly": "Một phần", "none": "Không"}
BRANCH_WORDS = {"supplement": "Hồ sơ cần bổ sung", "refused": "Từ chối giải quyết"}


def allowance_words(step: maps.Step) -> str:
    return f"{step.hours} giờ làm việc" if step.hours is not None else f"{step.days} ngày làm việc"


def limit_words(process: maps.ProcessMap) -> str:
    if process.working_days:
        return f"{process.working_days} ngày làm việc"
    if process.cutoff:
        return f"Trong ngày (tiếp nhận trước {process.cutoff}; sau {process.cutoff} trả trong ngày làm việc tiếp theo)"
    return "Trong ngày"


def process_document_docx(base: bytes | None, process: maps.ProcessMap, document) -> bytes:
    """`base` (the process document's file; None for a first draft made from the map alone) with
    its appendix of the drawn process written anew."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm

    from qms.processes import diagram

    if base is None:
        out = exports.new_document()
        exports.paragraph(
            out, f"{document.code}: {document.title}".upper(), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=6
        )
    else:
        out = docx.Document(io.BytesIO(base))
        _remove_appendix(out)
        exports.paragraph(out).add_run().add_break(WD_BREAK.PAGE)
    exports.paragraph(out, APPENDIX_HEADING, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=3)
    exports.paragraph(
        out, f"Thủ tục {process.name} (mã {process.code}); thời hạn giải quyết: {limit_words(process)}.", after=6
    )
    width = exports.text_width_mm(out)
    out.add_picture(io.BytesIO(diagram.png(process)), width=Mm(width))
    exports.paragraph(out, "Các bước thực hiện", bold=True, before=6, after=3)
    table = out.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("TT", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu, hồ sơ"), strict=True
    ):
        exports.cell_paragraph(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    exports.repeat_as_header(table.rows[0])
    for number, step in enumerate(process.steps, 1):
        cells = table.add_row().cells
        for cell, text in zip(
            cells, (str(number), step.name, process.roles[step.role], allowance_words(step), step.produces), strict=True
        ):
            exports.cell_paragraph(cell, text)
    exports.set_table_widths(table, _widths(width))
    for branch in process.branches:
        step = next(s for s in process.steps if s.id == branch.after)
        form = f" ({branch.produces})" if branch.produces else ""
        exports.paragraph(out, f"{BRANCH_WORDS[branch.kind]}: tại bước “{step.name}”{form}.", before=3)
    return exports.to_bytes(out)


def _widths(total):
    fixed = (10, 0, 40, 28, 32)
    return (fixed[0], total - sum(fixed), *fixed[2:])


def _remove_appendix(document):
    """Everything from the appendix heading on (the page break before it included), except the
    section properties that end the body."""
    body = document.element.body
    children = list(body)
    start = next(
        (
            i
            for i, el in enumerate(children)
            if el.tag.endswith("}p") and "".join(el.itertext()).strip() == APPENDIX_HEADING
        ),
        None,
    )
    if start is None:
        return
    # the paragraph holding only the page break that precedes it
    if start > 0 and children[start - 1].tag.endswith("}p") and not "".join(children[start - 1].itertext()).strip():
        start -= 1
    for element in children[start:]:
        if not element.tag.endswith("}sectPr"):
            body.remove(element)
