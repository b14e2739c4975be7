"""The one upload path of every area (qms.files.services.receive_upload): the upload checks with the
installation's size limit, the bytes kept, and, for files that will be served as controlled copies,
a refusal now of a file the stamp could never be added to."""

import io

import openpyxl
import pytest
from sqlalchemy import select

from qms.db import db
from qms.files.models import StoredFile
from qms.files.services import INTACT, MISSING, file_state, receive_upload
from qms.files.storage import path_for
from qms.files.uploads import UploadRefused
from tests.files.samples import docx_bytes


def _xlsx_with_a_full_header():
    workbook = openpyxl.Workbook()
    workbook.active.oddHeader.left.text = "x" * 240  # Excel's limit is 255 characters: no room for a stamp
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_upload_is_checked_and_kept(app):
    checked = receive_upload("Tờ khai.docx", docx_bytes("Tờ khai"), controlled_copy=True)
    db.session.commit()
    assert checked.kind == "docx" and checked.display_name == "Tờ khai.docx"
    assert db.session.get(StoredFile, checked.sha256).size == checked.size
    assert file_state(checked.sha256) == INTACT


def test_a_file_the_stamp_cannot_be_added_to_is_refused_for_a_controlled_copy(app):
    data = _xlsx_with_a_full_header()
    with pytest.raises(UploadRefused) as refused:
        receive_upload("Sổ.xlsx", data, controlled_copy=True)
    assert refused.value.code == "unstampable" and "Không thể đóng dấu bản kiểm soát" in str(refused.value.message)
    db.session.rollback()
    assert db.session.scalars(select(StoredFile)).all() == []
    receive_upload("Sổ.xlsx", data)  # evidence, say, is never stamped: accepted
    db.session.commit()


def test_the_size_limit_is_the_installations(make_app):
    app = make_app(QMS_MAX_UPLOAD_MB=1)
    with app.app_context():
        with pytest.raises(UploadRefused) as refused:
            receive_upload("Lớn.pdf", b"%PDF-" + b"0" * (1024 * 1024))
        assert refused.value.code == "too_large" and refused.value.status == 413


def test_a_missing_file_is_missing(app):
    checked = receive_upload("a.docx", docx_bytes("a"))
    db.session.commit()
    path_for(checked.sha256).unlink()
    assert file_state(checked.sha256) == MISSING
