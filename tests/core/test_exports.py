"""Spreadsheet cells written from text people typed are always text: Excel and LibreOffice show a
title beginning with =, +, -, @, a tab or a carriage return as written and never run it."""

import io

import openpyxl
import pytest

from qms.core.exports import FORMULA_START, workbook_bytes, xlsx_cell


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","Bấm")', "+84 912 345 678", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "=1+1"],
)
def test_text_that_looks_like_a_formula_stays_text(text):
    assert text.startswith(FORMULA_START)
    workbook = openpyxl.Workbook()
    xlsx_cell(workbook.active, 1, 1, text)
    cell = openpyxl.load_workbook(io.BytesIO(workbook_bytes(workbook))).active["A1"]
    assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def test_other_values_keep_their_type():
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    xlsx_cell(sheet, 1, 1, 12)
    xlsx_cell(sheet, 1, 2, dt.date(2026, 1, 2))
    xlsx_cell(sheet, 1, 3, "Quy trình")
    xlsx_cell(sheet, 1, 4, None)
    row = [c for c in openpyxl.load_workbook(io.BytesIO(workbook_bytes(workbook))).active[1]]
    assert row[0].value == 12 and row[0].data_type == "n"
    assert row[1].value.date() == dt.date(2026, 1, 2) and row[1].number_format == "DD/MM/YYYY"
    assert row[2].value == "Quy trình" and not row[2].quotePrefix
    assert row[3].value in (None, "")
