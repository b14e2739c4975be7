"""The internal documents of the demo commune: what each is (code, title, kind, field, owning unit,
parent procedure, legal bases, access, distribution) and how each issue of it is rendered.

Listed parents first, so that they can be created in this order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qms.documents.demo import forms, procedures, system
from qms.documents.demo.external import EXTERNAL_DOCUMENTS
from qms.documents.demo.parts import Control

QMS_FIELD = "Hệ thống quản lý chất lượng"
ONE_STOP_FIELD = "Một cửa"
CIVIL_STATUS = "Hộ tịch"
CERTIFICATION = "Chứng thực"
SOCIAL_PROTECTION = "Bảo trợ xã hội"


@dataclass(frozen=True)
class InternalDocument:
    code: str
    title: str
    kind: str  # a DocumentKind value
    render: Callable[[Control], bytes]
    filename: str
    field: str = ""
    unit: str = "VP"  # owning unit code
    owner: str = "qo"  # user name
    parent: str | None = None
    legal_bases: tuple = ()  # codes of external documents
    access: str = "internal"
    retention_years: int | None = 10  # None: kept permanently
    distribution: tuple = ()  # unit codes whose users get "read and understood" tasks


def _procedure(spec):
    return lambda control: procedures.administrative_procedure(control, spec)


def _form(code, *, unit="TTHCC", owner="qo", legal_bases=(), field=""):
    render, filename = forms.FORM_FILES[code]
    title = filename.rsplit(".", 1)[0]
    return InternalDocument(
        code,
        title,
        "form",
        render,
        filename,
        field=field,
        unit=unit,
        owner=owner,
        parent=code.split("-", 2)[2],
        legal_bases=legal_bases,
        access="public",
        retention_years=5,
        distribution=("TTHCC",),
    )


CIVIL_STATUS_BASES = ("L-60-2014-QH13", "NĐ-123-2015", "TT-04-2020-BTP", "NĐ-118-2025")
CERTIFICATION_BASES = ("NĐ-23-2015", "TT-01-2020-BTP", "TT-226-2016-BTC", "NĐ-118-2025")

INTERNAL_DOCUMENTS = (
    InternalDocument(
        "CS-01",
        "Chính sách chất lượng",
        "policy",
        system.quality_policy,
        "Chính sách chất lượng.docx",
        field=QMS_FIELD,
        legal_bases=("ISO-9001-2015", "QĐ-101-2019-BKHCN"),
        access="public",
        retention_years=None,
        distribution=("VP", "TTHCC"),
    ),
    # The title gets its year when the demo is loaded (system.objectives_year).
    InternalDocument(
        "MT-01",
        "Mục tiêu chất lượng năm {year}",
        "policy",
        system.quality_objectives,
        "Mục tiêu chất lượng.docx",
        field=QMS_FIELD,
        legal_bases=("ISO-9001-2015",),
        retention_years=5,
        distribution=("VP", "TTHCC"),
    ),
    InternalDocument(
        "QT-01",
        "Quy trình kiểm soát thông tin dạng văn bản",
        "procedure",
        system.documented_information,
        "Quy trình kiểm soát thông tin dạng văn bản.docx",
        field=QMS_FIELD,
        legal_bases=("ISO-9001-2015", "NĐ-30-2020"),
        distribution=("VP",),
    ),
    InternalDocument(
        "QT-02",
        "Quy trình đánh giá nội bộ",
        "procedure",
        system.internal_audit,
        "Quy trình đánh giá nội bộ.docx",
        field=QMS_FIELD,
        legal_bases=("ISO-9001-2015",),
        distribution=("VP",),
    ),
    InternalDocument(
        "QT-03",
        "Quy trình kiểm soát sự không phù hợp và hành động khắc phục",
        "procedure",
        system.nonconformity,
        "Quy trình kiểm soát sự không phù hợp và hành động khắc phục.docx",
        field=QMS_FIELD,
        legal_bases=("ISO-9001-2015",),
        distribution=("VP", "TTHCC"),
    ),
    InternalDocument(
        "QT-04",
        "Quy trình xem xét của lãnh đạo",
        "procedure",
        system.management_review,
        "Quy trình xem xét của lãnh đạo.docx",
        field=QMS_FIELD,
        legal_bases=("ISO-9001-2015",),
        distribution=("VP",),
    ),
    InternalDocument(
        "QT-05",
        "Quy trình quản lý rủi ro và cơ hội",
        "procedure",
        system.risks,
        "Quy trình quản lý rủi ro và cơ hội.docx",
        field=QMS_FIELD,
        legal_bases=("ISO-9001-2015",),
        distribution=("VP",),
    ),
    InternalDocument(
        "QT-06",
        "Quy trình tiếp nhận và trả kết quả giải quyết thủ tục hành chính",
        "procedure",
        procedures.one_stop,
        "Quy trình tiếp nhận và trả kết quả giải quyết TTHC.docx",
        field=ONE_STOP_FIELD,
        unit="TTHCC",
        legal_bases=("NĐ-118-2025", "TT-01-2018-VPCP"),
        access="public",
        distribution=("TTHCC",),
    ),
    InternalDocument(
        "HD-01-QT-06",
        "Hướng dẫn tiếp nhận hồ sơ trên phần mềm Một cửa điện tử",
        "instruction",
        procedures.software_instruction,
        "Hướng dẫn tiếp nhận hồ sơ trên phần mềm Một cửa điện tử.docx",
        field=ONE_STOP_FIELD,
        unit="TTHCC",
        parent="QT-06",
        retention_years=5,
        distribution=("TTHCC",),
    ),
    *(_form(f"BM-0{n}-QT-06", legal_bases=("TT-01-2018-VPCP",)) for n in range(1, 7)),
    InternalDocument(
        "QT-07",
        "Quy trình đăng ký khai sinh",
        "procedure",
        _procedure(procedures.BIRTH),
        "Quy trình đăng ký khai sinh.docx",
        field=CIVIL_STATUS,
        owner="qo2",
        legal_bases=CIVIL_STATUS_BASES,
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-07", owner="qo2", unit="VP", legal_bases=("TT-04-2020-BTP",)),
    InternalDocument(
        "QT-08",
        "Quy trình đăng ký kết hôn",
        "procedure",
        _procedure(procedures.MARRIAGE),
        "Quy trình đăng ký kết hôn.docx",
        field=CIVIL_STATUS,
        owner="qo2",
        legal_bases=(*CIVIL_STATUS_BASES, "L-52-2014-QH13"),
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-08", owner="qo2", unit="VP", legal_bases=("TT-04-2020-BTP",)),
    InternalDocument(
        "QT-09",
        "Quy trình chứng thực bản sao từ bản chính",
        "procedure",
        _procedure(procedures.CERTIFIED_COPY),
        "Quy trình chứng thực bản sao từ bản chính.docx",
        field=CERTIFICATION,
        owner="qo2",
        legal_bases=CERTIFICATION_BASES,
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-09", owner="qo2", unit="VP", legal_bases=("NĐ-23-2015", "TT-01-2020-BTP")),
    InternalDocument(
        "QT-10",
        "Quy trình chứng thực chữ ký trong giấy tờ, văn bản",
        "procedure",
        procedures.signature_procedure,
        "Quy trình chứng thực chữ ký.docx",
        field=CERTIFICATION,
        owner="qo2",
        legal_bases=CERTIFICATION_BASES,
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-10", owner="qo2", unit="VP", legal_bases=("NĐ-23-2015", "TT-01-2020-BTP")),
    InternalDocument(
        "QT-11",
        "Quy trình đăng ký khai tử",
        "procedure",
        _procedure(procedures.DEATH),
        "Quy trình đăng ký khai tử.docx",
        field=CIVIL_STATUS,
        owner="qo2",
        legal_bases=CIVIL_STATUS_BASES,
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-11", owner="qo2", unit="VP", legal_bases=("TT-04-2020-BTP",)),
    InternalDocument(
        "QT-12",
        "Quy trình cấp Giấy xác nhận tình trạng hôn nhân",
        "procedure",
        _procedure(procedures.MARITAL_STATUS),
        "Quy trình cấp Giấy xác nhận tình trạng hôn nhân.docx",
        field=CIVIL_STATUS,
        owner="qo2",
        legal_bases=(*CIVIL_STATUS_BASES, "TT-85-2019-BTC"),
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-12", owner="qo2", unit="VP", legal_bases=("TT-04-2020-BTP",)),
    InternalDocument(
        "QT-13",
        "Quy trình cấp bản sao trích lục hộ tịch",
        "procedure",
        _procedure(procedures.EXTRACT_COPY),
        "Quy trình cấp bản sao trích lục hộ tịch.docx",
        field=CIVIL_STATUS,
        owner="qo2",
        legal_bases=(*CIVIL_STATUS_BASES, "TT-281-2016-BTC"),
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-13", owner="qo2", unit="VP", legal_bases=("TT-04-2020-BTP",)),
    InternalDocument(
        "QT-14",
        "Quy trình đăng ký nhận cha, mẹ, con",
        "procedure",
        _procedure(procedures.PARENTAGE),
        "Quy trình đăng ký nhận cha, mẹ, con.docx",
        field=CIVIL_STATUS,
        owner="qo2",
        legal_bases=(*CIVIL_STATUS_BASES, "L-52-2014-QH13", "TT-85-2019-BTC"),
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-14", owner="qo2", unit="VP", legal_bases=("TT-04-2020-BTP",)),
    InternalDocument(
        "QT-15",
        "Quy trình đăng ký giám hộ",
        "procedure",
        _procedure(procedures.GUARDIANSHIP),
        "Quy trình đăng ký giám hộ.docx",
        field=CIVIL_STATUS,
        owner="qo2",
        legal_bases=(*CIVIL_STATUS_BASES, "L-91-2015-QH13"),
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-15", owner="qo2", unit="VP", legal_bases=("TT-04-2020-BTP",)),
    InternalDocument(
        "QT-16",
        "Quy trình thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        "procedure",
        _procedure(procedures.CORRECTION),
        "Quy trình thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc.docx",
        field=CIVIL_STATUS,
        owner="qo2",
        legal_bases=(*CIVIL_STATUS_BASES, "NĐ-120-2025", "TT-85-2019-BTC"),
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-16", owner="qo2", unit="VP", legal_bases=("TT-04-2020-BTP",)),
    InternalDocument(
        "QT-17",
        "Quy trình chứng thực hợp đồng, giao dịch liên quan đến động sản, quyền sử dụng đất, nhà ở",
        "procedure",
        _procedure(procedures.CONTRACT),
        "Quy trình chứng thực hợp đồng, giao dịch liên quan đến động sản, quyền sử dụng đất, nhà ở.docx",
        field=CERTIFICATION,
        owner="qo2",
        legal_bases=(*CERTIFICATION_BASES, "L-91-2015-QH13", "L-31-2024-QH15"),
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-17", owner="qo2", unit="VP", legal_bases=("NĐ-23-2015", "TT-01-2020-BTP")),
    InternalDocument(
        "QT-18",
        "Quy trình thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng",
        "procedure",
        _procedure(procedures.SOCIAL_ALLOWANCE),
        "Quy trình thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng.docx",
        field=SOCIAL_PROTECTION,
        unit="VHXH",
        owner="qo2",
        legal_bases=("NĐ-20-2021", "NĐ-76-2024", "NĐ-118-2025"),
        access="public",
        distribution=("TTHCC",),
    ),
    _form("BM-01-QT-18", owner="qo2", unit="VHXH", legal_bases=("NĐ-20-2021",)),
)

BY_CODE = {d.code: d for d in INTERNAL_DOCUMENTS}
EXTERNAL_BY_CODE = {d.code: d for d in EXTERNAL_DOCUMENTS}


def based_on(external_code: str) -> tuple:
    """Codes of the internal documents that name an external document as a legal basis."""
    return tuple(d.code for d in INTERNAL_DOCUMENTS if external_code in d.legal_bases)
