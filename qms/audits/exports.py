"""An audit's plan and report (kế hoạch / báo cáo đánh giá nội bộ) as .docx, laid out per Decree
30/2020 with qms.core.exports.

Both are written from the state the audit's services build and seal (plan_state, report_state: plain
data, dates as ISO text, coded values by their stored value), never from the rows, so that the file
shows exactly what the lead auditor signed. They are Vietnamese documents whatever the reader's
language: coded values are written with their Vietnamese labels, dates as dd/mm/yyyy (Vietnam time).

The plan's state: code, title, year, criteria, clauses (numbers), processes and units (names),
planned_start, planned_end, lead_auditor and team (names), programme ({year, revision}). The report's
adds: started_at, reported_at (when it has one; else the report is dated today), summary, strengths,
conclusions, items ({clause, text, result, notes, attachments: [{filename}]}) and findings ({clause,
grade, description, nc_code, nc_status, decision, decision_reason}).
"""

from __future__ import annotations

import datetime as dt

from qms.audits.labels import DECISION_LABELS, GRADE_LABELS, RESULT_LABELS
from qms.audits.library import clauses as iso_clauses
from qms.audits.models import NC_GRADES, ChecklistResult, Decision, Grade
from qms.auth.models import Commune
from qms.core.calendar import format_date, local_today
from qms.core.exports import (
    BODY_PT,
    cell_paragraph,
    date_line,
    field_table,
    grid_table,
    issuer_lines,
    keep_row_together,
    national_header,
    new_document,
    page_numbers_from_second_page,
    paragraph,
    place_name,
    remove_borders,
    rule,
    section_heading,
    set_table_widths,
    subheading,
    text_width_mm,
    to_bytes,
    vietnamese,
)
from qms.db import db
from qms.nonconformities.labels import STATUS_LABELS as NC_STATUS_LABELS
from qms.nonconformities.models import NcStatus

PLAN_TITLE = "KẾ HOẠCH ĐÁNH GIÁ NỘI BỘ"
REPORT_TITLE = "BÁO CÁO ĐÁNH GIÁ NỘI BỘ"
SUBTITLE = "Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015"
LEAD = "TRƯỞNG ĐOÀN ĐÁNH GIÁ"
APPROVER = "LÃNH ĐẠO PHÊ DUYỆT"
SIGN_HINT = "(Ký, ghi rõ họ tên)"
NOT_ANSWERED = "Chưa đánh giá"
UNDECIDED = "Chưa quyết định"
NONE = "Không có"

# (heading, key, width in mm, centred): each table spans the 165 mm between the margins
SCHEDULE_COLUMNS = [
    ("Thời gian", "when", 40, True),
    ("Nội dung", "what", 80, False),
    ("Thực hiện", "who", 45, False),
]
TEAM_COLUMNS = [
    ("STT", "stt", 12, True),
    ("Họ và tên", "name", 83, False),
    ("Vai trò trong đoàn", "role", 70, False),
]
ITEM_COLUMNS = [
    ("STT", "stt", 12, True),
    ("Câu hỏi đánh giá", "text", 66, False),
    ("Kết quả", "result", 34, True),
    ("Bằng chứng, ghi chú", "notes", 53, False),
]
FINDING_COLUMNS = [
    ("STT", "stt", 12, True),
    ("Mức độ", "grade", 36, True),
    ("Nội dung phát hiện", "description", 64, False),
    ("Xử lý", "follow_up", 53, False),
]
TALLY_COLUMNS = [
    ("Mức độ", "grade", 110, False),
    ("Số lượng", "count", 55, True),
]


# --- reading the state ------------------------------------------------------------------------------


def _date(value) -> str:
    """dd/mm/yyyy from an ISO date or date and time (the latter in Vietnam time)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return format_date(value)


def _day(value) -> dt.date | None:
    """The (Vietnam) day of an ISO date or date and time, for the date line."""
    text = _date(value)
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _label(labels, enum, value, *, empty="") -> str:
    """The Vietnamese label of a stored value; a value the labels do not know is shown as it is."""
    if value in (None, ""):
        return empty
    try:
        return vietnamese(labels, enum(value))
    except ValueError:
        return str(value)


def _titles() -> dict:
    return {heading.number: heading.title for heading in iso_clauses()}


def _clause_key(number):
    return tuple(int(part) if part.isdigit() else 0 for part in str(number).split("."))


def _clause_name(number, titles) -> str:
    title = titles.get(number)
    return f"{number}. {title}" if title else str(number)


def _listing(values) -> str:
    return "\n".join(f"- {value}" for value in values) if values else NONE


def _period(start, end) -> str:
    start, end = _date(start), _date(end)
    if start and end and start != end:
        return f"Từ ngày {start} đến ngày {end}"
    if start and not end:
        return f"Từ ngày {start}"
    return f"Ngày {start or end}" if start or end else ""


def _programme(state) -> str:
    programme = state.get("programme") or {}
    year = programme.get("year", state.get("year"))
    revision = programme.get("revision")
    text = f"Chương trình đánh giá nội bộ năm {year}" if year else ""
    return f"{text} (lần {revision})" if text and revision else text


def _members(state) -> list[dict]:
    lead = state.get("lead_auditor") or ""
    rows = [{"name": lead, "role": "Trưởng đoàn"}] if lead else []
    rows += [{"name": name, "role": "Thành viên"} for name in state.get("team") or [] if name != lead]
    return [dict(row, stt=index) for index, row in enumerate(rows, start=1)]


# --- the layout ---------------------------------------------------------------------------------------


def _start(audit, title, state, day):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    commune = db.session.get(Commune, audit.commune_id)
    document = new_document()
    document.core_properties.title = f"{title.capitalize()} {state.get('code', '')}".strip()
    document.core_properties.language = "vi-VN"
    national_header(document, issuer_lines(commune.name), date_line(place_name(commune), day or local_today()))
    paragraph(document, title, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, bold=True, before=18)
    paragraph(document, f"Số: {state.get('code', '')}", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, before=2)
    paragraph(document, SUBTITLE, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, before=2)
    rule(document, 40, text_width_mm(document), before=4, after=6)
    return document


def _text(document, value):
    """Text someone wrote, a paragraph a line (an empty one says so)."""
    lines = [line for line in str(value or "").split("\n") if line.strip()]
    if not lines:
        paragraph(document, "(Không có nội dung.)", size=BODY_PT, italic=True)
    for line in lines:
        paragraph(document, line, size=BODY_PT, after=3, indent_first=10)


def _signatures(document, blocks, recipients=None):
    """Decree 30's closing: the recipients (nơi nhận) bottom left when given, and the signers side by
    side, each a heading, the hint, room to sign and the name. `blocks`: [(heading, name)]; with one
    block it stands on the right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _keep_with_signatures(document)
    total = text_width_mm(document)
    cells = list(blocks)
    if len(cells) == 1:
        cells.insert(0, None)
    table = document.add_table(rows=1, cols=len(cells))
    remove_borders(table)
    set_table_widths(table, [total / len(cells)] * len(cells))
    for cell, block in zip(table.rows[0].cells, cells):
        if block is None:
            if recipients:
                cell_paragraph(cell, "Nơi nhận:", size=12, bold=True, italic=True, before=12)
                for line in recipients:
                    paragraph(cell, line, size=11)
            continue
        heading, name = block
        cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, before=12)
        paragraph(cell, SIGN_HINT, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, italic=True, after=54)
        paragraph(cell, name or "", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True)
    keep_row_together(table.rows[0])


def _keep_with_signatures(document):
    """The last paragraph or table before the signatures goes to the next page with them, so that no
    page holds the signatures alone."""
    last = list(document.iter_inner_content())[-1]
    paragraphs = (
        [last] if hasattr(last, "paragraph_format") else [p for r in last.rows for c in r.cells for p in c.paragraphs]
    )
    for para in paragraphs:
        para.paragraph_format.keep_with_next = True


def _scope_rows(state, titles):
    return [
        ("Tên cuộc đánh giá", state.get("title", "")),
        ("Theo chương trình", _programme(state)),
        ("Quá trình được đánh giá", _listing(state.get("processes"))),
        ("Đơn vị được đánh giá", _listing(state.get("units"))),
        (
            "Điều khoản ISO 9001:2015",
            _listing([_clause_name(n, titles) for n in sorted(state.get("clauses") or [], key=_clause_key)]),
        ),
    ]


# --- the plan -----------------------------------------------------------------------------------------


def plan_docx(audit, state) -> bytes:
    """The audit plan: scope (processes, units, clauses), criteria, schedule, team, and the signatures
    of the lead auditor and of the leader who approves it."""
    titles = _titles()
    document = _start(audit, PLAN_TITLE, state, local_today())

    section_heading(document, "I. MỤC ĐÍCH VÀ PHẠM VI ĐÁNH GIÁ")
    paragraph(
        document,
        "Mục đích: xác định hệ thống quản lý chất lượng có phù hợp với các yêu cầu của TCVN ISO 9001:2015 "
        "và các quy định của đơn vị, và có được áp dụng, duy trì một cách hiệu lực hay không.",
        size=BODY_PT,
        after=4,
        indent_first=10,
    )
    field_table(document, _scope_rows(state, titles))

    section_heading(document, "II. CHUẨN MỰC ĐÁNH GIÁ")
    _text(document, state.get("criteria"))

    section_heading(document, "III. THỜI GIAN VÀ LỊCH TRÌNH ĐÁNH GIÁ")
    start, end = state.get("planned_start"), state.get("planned_end")
    paragraph(document, f"Thời gian đánh giá: {_period(start, end).lower()}.", size=BODY_PT, after=4)
    grid_table(
        document,
        SCHEDULE_COLUMNS,
        [
            {
                "when": _date(start),
                "what": "Họp khai mạc: thông báo mục đích, phạm vi, chuẩn mực và lịch trình đánh giá",
                "who": "Đoàn đánh giá; đơn vị được đánh giá",
            },
            {
                "when": _period(start, end).replace("Từ ngày ", "").replace(" đến ngày ", " – ").replace("Ngày ", ""),
                "what": "Đánh giá theo các điều khoản và quá trình trong phạm vi: phỏng vấn, xem xét hồ sơ, "
                "quan sát thực tế",
                "who": "Đoàn đánh giá",
            },
            {
                "when": _date(end),
                "what": "Họp kết thúc: thông báo các phát hiện và kết luận đánh giá",
                "who": "Đoàn đánh giá; lãnh đạo đơn vị được đánh giá",
            },
        ],
        "",
    )

    section_heading(document, "IV. ĐOÀN ĐÁNH GIÁ")
    grid_table(document, TEAM_COLUMNS, _members(state), "Chưa có thành viên nào.")

    _signatures(document, [(APPROVER, state.get("approved_by", "")), (LEAD, state.get("lead_auditor", ""))])
    page_numbers_from_second_page(document)
    return to_bytes(document)


# --- the report ---------------------------------------------------------------------------------------


def _follow_up(finding) -> str:
    """What became of a finding: its NC and the NC's status, or the decision on an observation."""
    grade = _enum(Grade, finding.get("grade"))
    if grade in NC_GRADES or finding.get("nc_code"):
        code = finding.get("nc_code") or ""
        status = _label(NC_STATUS_LABELS, NcStatus, finding.get("nc_status"))
        if not code:
            return "Chưa mở phiếu xử lý sự không phù hợp"
        return f"Phiếu {code}" + (f" ({status.lower()})" if status else "")
    decision = _label(DECISION_LABELS, Decision, finding.get("decision"), empty=UNDECIDED)
    reason = (finding.get("decision_reason") or "").strip()
    return f"{decision}: {reason}" if reason and finding.get("decision") else decision


def _evidence(item) -> str:
    """The evidence notes, and the names of the files attached as evidence."""
    files = [a.get("filename", "") for a in item.get("attachments") or []]
    notes = item.get("notes") or ""
    if files:
        notes = "\n".join(part for part in (notes, "Tệp đính kèm: " + ", ".join(files)) if part)
    return notes


def _enum(enum, value):
    try:
        return enum(value)
    except ValueError:
        return None


def _by_clause(state, titles):
    """[(clause number, its items, its findings)] in the standard's order: the audit's clauses, and any
    other clause an item or a finding names."""
    items, findings = state.get("items") or [], state.get("findings") or []
    numbers = set(state.get("clauses") or [])
    numbers |= {i.get("clause") for i in items} | {f.get("clause") for f in findings}
    numbers.discard(None)
    return [
        (
            number,
            [i for i in items if i.get("clause") == number],
            [f for f in findings if f.get("clause") == number],
        )
        for number in sorted(numbers, key=_clause_key)
    ]


def report_docx(audit, state) -> bytes:
    """The audit report: scope, summary, results and findings by clause, strengths, conclusions, and
    the lead auditor's signature."""
    titles = _titles()
    document = _start(audit, REPORT_TITLE, state, _day(state.get("reported_at")))

    section_heading(document, "I. THÔNG TIN CHUNG")
    rows = _scope_rows(state, titles)
    rows += [
        ("Chuẩn mực đánh giá", state.get("criteria") or NONE),
        ("Thời gian theo kế hoạch", _period(state.get("planned_start"), state.get("planned_end"))),
        ("Thời gian thực hiện", _period(state.get("started_at"), state.get("reported_at"))),
        ("Trưởng đoàn đánh giá", state.get("lead_auditor", "")),
        ("Thành viên đoàn", _listing([m["name"] for m in _members(state) if m["role"] != "Trưởng đoàn"])),
    ]
    field_table(document, rows)

    section_heading(document, "II. TÓM TẮT")
    _text(document, state.get("summary"))

    section_heading(document, "III. KẾT QUẢ ĐÁNH GIÁ THEO ĐIỀU KHOẢN")
    for number, items, findings in _by_clause(state, titles):
        subheading(document, f"Điều khoản {_clause_name(number, titles)}")
        if items:
            grid_table(
                document,
                ITEM_COLUMNS,
                [
                    {
                        "stt": index,
                        "text": item.get("text", ""),
                        "result": _label(RESULT_LABELS, ChecklistResult, item.get("result"), empty=NOT_ANSWERED),
                        "notes": _evidence(item),
                    }
                    for index, item in enumerate(items, start=1)
                ],
                "",
            )
        if findings:
            lead_in = paragraph(document, "Các phát hiện:", size=BODY_PT, italic=True, before=4, after=2)
            lead_in.paragraph_format.keep_with_next = True
            grid_table(
                document,
                FINDING_COLUMNS,
                [
                    {
                        "stt": index,
                        "grade": _label(GRADE_LABELS, Grade, finding.get("grade")),
                        "description": finding.get("description", ""),
                        "follow_up": _follow_up(finding),
                    }
                    for index, finding in enumerate(findings, start=1)
                ],
                "",
            )
        elif not items:
            paragraph(document, "Không có phát hiện.", size=BODY_PT, italic=True)

    section_heading(document, "IV. TỔNG HỢP CÁC PHÁT HIỆN")
    counts = {grade: 0 for grade in Grade}
    for finding in state.get("findings") or []:
        grade = _enum(Grade, finding.get("grade"))
        if grade is not None:
            counts[grade] += 1
    grid_table(
        document,
        TALLY_COLUMNS,
        [{"grade": vietnamese(GRADE_LABELS, grade), "count": count} for grade, count in counts.items()],
        "",
    )

    section_heading(document, "V. ĐIỂM MẠNH")
    _text(document, state.get("strengths"))

    section_heading(document, "VI. KẾT LUẬN")
    _text(document, state.get("conclusions"))

    _signatures(
        document,
        [(LEAD, state.get("lead_auditor", ""))],
        recipients=["- Lãnh đạo UBND;", "- Các đơn vị được đánh giá;", "- Lưu: hồ sơ đánh giá nội bộ."],
    )
    page_numbers_from_second_page(document)
    return to_bytes(document)
