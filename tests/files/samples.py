"""Real Office files for tests: a small .docx and .xlsx made with python-docx and openpyxl."""

import io

import docx
import openpyxl


def docx_bytes(text="Nội dung biểu mẫu", *, paragraphs=()):
    document = docx.Document()
    document.add_heading("Biểu mẫu", level=1)
    document.add_paragraph(text)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(value="Sổ theo dõi"):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
