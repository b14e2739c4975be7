"""Documents of external origin the demo commune's procedures are based on, and the reference sheet
(phiếu theo dõi) kept for each: identification, legal status, what the commune applies from it and
which internal documents rest on it. The sheet is not the legal text, and says where that is found.

Numbers and dates are those of the texts as best known; statuses are data the quality officer
keeps up to date (Circular 01/2018/TT-VPCP, for one, may have been replaced in 2025: check)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docx.enum.text import WD_ALIGN_PARAGRAPH

from qms.core.calendar import format_date
from qms.core.exports import (
    BODY_PT,
    date_line,
    issuer_lines,
    national_header,
    new_document,
    paragraph,
    place_from_name,
    rule,
    text_width_mm,
    to_bytes,
)
from qms.documents.demo.parts import Grid, grid, signature_pair
from qms.documents.exports import LEGAL_STATUS_LABELS
from qms.documents.models import LegalStatus


@dataclass(frozen=True)
class ExternalDocument:
    code: str
    number: str
    title: str
    issuer: str
    issued_on: dt.date | None
    effective_on: dt.date | None
    legal_status: str  # a LegalStatus value
    applies: tuple  # what the commune applies from it
    field: str = ""


EXTERNAL_DOCUMENTS = (
    ExternalDocument(
        "ISO-9001-2015",
        "TCVN ISO 9001:2015",
        "Hệ thống quản lý chất lượng – Các yêu cầu",
        "Bộ Khoa học và Công nghệ (công bố)",
        None,
        None,
        "in_force",
        (
            "Các yêu cầu đối với hệ thống quản lý chất lượng áp dụng cho hoạt động giải quyết thủ tục "
            "hành chính của Ủy ban nhân dân xã.",
        ),
        "Hệ thống quản lý chất lượng",
    ),
    ExternalDocument(
        "QĐ-101-2019-BKHCN",
        "101/QĐ-BKHCN",
        "Công bố mô hình khung hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 cho các cơ quan, tổ "
        "chức thuộc hệ thống hành chính nhà nước tại địa phương",
        "Bộ Khoa học và Công nghệ",
        dt.date(2019, 1, 21),
        dt.date(2019, 1, 21),
        "in_force",
        (
            "Bố cục chính sách, mục tiêu chất lượng, các quy trình hệ thống và quy trình nội bộ theo từng "
            "thủ tục hành chính của cấp xã.",
        ),
        "Hệ thống quản lý chất lượng",
    ),
    ExternalDocument(
        "NĐ-30-2020",
        "30/2020/NĐ-CP",
        "Về công tác văn thư",
        "Chính phủ",
        dt.date(2020, 3, 5),
        dt.date(2020, 3, 5),
        "in_force",
        (
            "Thể thức và kỹ thuật trình bày văn bản hành chính (khổ A4, phông chữ Times New Roman, cỡ chữ "
            "13-14, quốc hiệu và tiêu ngữ).",
        ),
        "Hệ thống quản lý chất lượng",
    ),
    ExternalDocument(
        "NĐ-61-2018",
        "61/2018/NĐ-CP",
        "Về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        "Chính phủ",
        dt.date(2018, 4, 23),
        dt.date(2018, 6, 21),
        "in_force",
        (
            "Tổ chức Bộ phận Tiếp nhận và Trả kết quả; trình tự tiếp nhận, chuyển, giải quyết và trả kết "
            "quả hồ sơ; xin lỗi khi giải quyết quá hạn.",
        ),
        "Một cửa",
    ),
    ExternalDocument(
        "NĐ-118-2025",
        "118/2025/NĐ-CP",
        "Về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa và "
        "Cổng Dịch vụ công quốc gia",
        "Chính phủ",
        dt.date(2025, 6, 9),
        dt.date(2025, 7, 1),
        "in_force",
        (
            "Thay thế Nghị định số 61/2018/NĐ-CP từ ngày 01/7/2025.",
            "Tiếp nhận hồ sơ trực tiếp, qua bưu chính công ích và trực tuyến; trả kết quả; đánh giá việc "
            "giải quyết thủ tục hành chính.",
        ),
        "Một cửa",
    ),
    ExternalDocument(
        "TT-01-2018-VPCP",
        "01/2018/TT-VPCP",
        "Hướng dẫn thi hành một số quy định của Nghị định số 61/2018/NĐ-CP về thực hiện cơ chế một cửa, "
        "một cửa liên thông trong giải quyết thủ tục hành chính",
        "Văn phòng Chính phủ",
        dt.date(2018, 11, 23),
        dt.date(2019, 1, 8),
        "in_force",
        (
            "Các mẫu: Giấy tiếp nhận hồ sơ và hẹn trả kết quả; Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ; "
            "Phiếu từ chối; Phiếu xin lỗi và hẹn lại ngày trả kết quả; Phiếu kiểm soát quá trình giải "
            "quyết hồ sơ; Sổ theo dõi hồ sơ.",
        ),
        "Một cửa",
    ),
    ExternalDocument(
        "L-60-2014-QH13",
        "60/2014/QH13",
        "Luật Hộ tịch",
        "Quốc hội",
        dt.date(2014, 11, 20),
        dt.date(2016, 1, 1),
        "in_force",
        (
            "Thẩm quyền đăng ký khai sinh, kết hôn, khai tử của Ủy ban nhân dân cấp xã; miễn lệ phí đăng "
            "ký khai sinh, khai tử đúng hạn và đăng ký kết hôn của công dân Việt Nam cư trú trong nước "
            "(điều 11).",
        ),
        "Hộ tịch",
    ),
    ExternalDocument(
        "L-52-2014-QH13",
        "52/2014/QH13",
        "Luật Hôn nhân và gia đình",
        "Quốc hội",
        dt.date(2014, 6, 19),
        dt.date(2015, 1, 1),
        "in_force",
        ("Điều kiện kết hôn; các trường hợp cấm kết hôn.",),
        "Hộ tịch",
    ),
    ExternalDocument(
        "NĐ-123-2015",
        "123/2015/NĐ-CP",
        "Quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
        "Chính phủ",
        dt.date(2015, 11, 15),
        dt.date(2016, 1, 1),
        "in_force",
        ("Giấy tờ nộp, xuất trình khi đăng ký hộ tịch; đăng ký khai sinh, kết hôn, khai tử.",),
        "Hộ tịch",
    ),
    ExternalDocument(
        "TT-04-2020-BTP",
        "04/2020/TT-BTP",
        "Quy định chi tiết thi hành một số điều của Luật Hộ tịch và Nghị định số 123/2015/NĐ-CP",
        "Bộ Tư pháp",
        dt.date(2020, 5, 28),
        dt.date(2020, 7, 16),
        "in_force",
        (
            "Mẫu tờ khai đăng ký khai sinh, kết hôn, khai tử, nhận cha, mẹ, con, giám hộ; tờ khai thay đổi, cải "
            "chính, bổ sung thông tin hộ tịch; tờ khai cấp Giấy xác nhận tình trạng hôn nhân, cấp bản sao trích "
            "lục hộ tịch; sổ hộ tịch.",
        ),
        "Hộ tịch",
    ),
    ExternalDocument(
        "L-91-2015-QH13",
        "91/2015/QH13",
        "Bộ luật Dân sự",
        "Quốc hội",
        dt.date(2015, 11, 24),
        dt.date(2017, 1, 1),
        "in_force",
        (
            "Người được giám hộ, người giám hộ, điều kiện và việc cử, thay đổi, chấm dứt giám hộ (điều 46 đến "
            "điều 63); hình thức của giao dịch dân sự, hợp đồng.",
        ),
        "Hộ tịch",
    ),
    ExternalDocument(
        "NĐ-120-2025",
        "120/2025/NĐ-CP",
        "Quy định về phân định thẩm quyền của chính quyền địa phương 02 cấp trong lĩnh vực quản lý nhà nước "
        "của Bộ Tư pháp",
        "Chính phủ",
        dt.date(2025, 6, 11),
        dt.date(2025, 7, 1),
        "in_force",
        (
            "Ủy ban nhân dân cấp xã thực hiện các việc hộ tịch trước đây thuộc Ủy ban nhân dân cấp huyện, trong đó "
            "có thay đổi, cải chính hộ tịch cho người từ đủ 14 tuổi trở lên và xác định lại dân tộc.",
        ),
        "Hộ tịch",
    ),
    ExternalDocument(
        "TT-281-2016-BTC",
        "281/2016/TT-BTC",
        "Quy định mức thu, chế độ thu, nộp, quản lý và sử dụng phí khai thác, sử dụng thông tin trong cơ sở dữ "
        "liệu hộ tịch, phí xác nhận có quốc tịch Việt Nam, phí xác nhận là người gốc Việt Nam, lệ phí quốc tịch",
        "Bộ Tài chính",
        dt.date(2016, 11, 14),
        dt.date(2017, 1, 1),
        "in_force",
        ("Phí cấp bản sao trích lục hộ tịch: 8.000 đồng/bản sao trích lục.",),
        "Hộ tịch",
    ),
    ExternalDocument(
        "TT-85-2019-BTC",
        "85/2019/TT-BTC",
        "Hướng dẫn về phí và lệ phí thuộc thẩm quyền quyết định của Hội đồng nhân dân tỉnh, thành phố trực "
        "thuộc Trung ương",
        "Bộ Tài chính",
        dt.date(2019, 11, 29),
        dt.date(2020, 1, 1),
        "in_force",
        (
            "Lệ phí hộ tịch do Hội đồng nhân dân tỉnh quy định mức thu (đăng ký nhận cha, mẹ, con; thay đổi, cải "
            "chính, bổ sung thông tin hộ tịch; cấp Giấy xác nhận tình trạng hôn nhân); niêm yết mức thu tại "
            "Trung tâm Phục vụ hành chính công.",
        ),
        "Hộ tịch",
    ),
    ExternalDocument(
        "NĐ-23-2015",
        "23/2015/NĐ-CP",
        "Về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký và chứng thực "
        "hợp đồng, giao dịch",
        "Chính phủ",
        dt.date(2015, 2, 16),
        dt.date(2015, 4, 10),
        "in_force",
        (
            "Thẩm quyền chứng thực của Ủy ban nhân dân cấp xã; thủ tục chứng thực bản sao từ bản chính, "
            "chứng thực chữ ký và chứng thực hợp đồng, giao dịch; sổ chứng thực.",
        ),
        "Chứng thực",
    ),
    ExternalDocument(
        "TT-01-2020-BTP",
        "01/2020/TT-BTP",
        "Quy định chi tiết và hướng dẫn thi hành một số điều của Nghị định số 23/2015/NĐ-CP",
        "Bộ Tư pháp",
        dt.date(2020, 3, 3),
        dt.date(2020, 4, 20),
        "in_force",
        ("Lời chứng, cách ghi sổ chứng thực; các trường hợp không được chứng thực.",),
        "Chứng thực",
    ),
    ExternalDocument(
        "TT-226-2016-BTC",
        "226/2016/TT-BTC",
        "Quy định mức thu, chế độ thu, nộp, quản lý và sử dụng phí chứng thực",
        "Bộ Tài chính",
        dt.date(2016, 11, 11),
        dt.date(2017, 1, 1),
        "in_force",
        (
            "Phí chứng thực bản sao từ bản chính: 2.000 đồng/trang cho trang thứ nhất và thứ hai, 1.000 "
            "đồng/trang từ trang thứ ba, tối đa 200.000 đồng/bản; chứng thực chữ ký: 10.000 đồng/trường "
            "hợp; chứng thực hợp đồng, giao dịch: 50.000 đồng/hợp đồng, giao dịch.",
        ),
        "Chứng thực",
    ),
    ExternalDocument(
        "L-31-2024-QH15",
        "31/2024/QH15",
        "Luật Đất đai",
        "Quốc hội",
        dt.date(2024, 1, 18),
        dt.date(2024, 8, 1),
        "in_force",
        (
            "Hợp đồng, văn bản thực hiện các quyền của người sử dụng đất được công chứng hoặc chứng thực; việc "
            "chứng thực thực hiện tại Ủy ban nhân dân cấp xã (điều 27).",
        ),
        "Chứng thực",
    ),
    ExternalDocument(
        "NĐ-20-2021",
        "20/2021/NĐ-CP",
        "Quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội",
        "Chính phủ",
        dt.date(2021, 3, 15),
        dt.date(2021, 7, 1),
        "in_force",
        (
            "Đối tượng, mức trợ cấp xã hội hằng tháng; hồ sơ, trình tự thực hiện, điều chỉnh, thôi hưởng trợ cấp "
            "xã hội hằng tháng; mẫu tờ khai đề nghị trợ giúp xã hội.",
        ),
        "Bảo trợ xã hội",
    ),
    ExternalDocument(
        "NĐ-76-2024",
        "76/2024/NĐ-CP",
        "Sửa đổi, bổ sung một số điều của Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ "
        "quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội",
        "Chính phủ",
        dt.date(2024, 7, 1),
        dt.date(2024, 7, 1),
        "in_force",
        ("Mức chuẩn trợ giúp xã hội 500.000 đồng/tháng từ ngày 01/7/2024; sửa đổi hồ sơ, trình tự xét hưởng.",),
        "Bảo trợ xã hội",
    ),
)


def reference_sheet(
    commune_name: str, spec: ExternalDocument, *, status: str, based_on: tuple, registered_on, registered_by: str
) -> bytes:
    """The reference sheet of an external document, registered on `registered_on` by `registered_by`."""
    document = new_document()
    document.core_properties.title = f"{spec.number} – {spec.title}"
    document.core_properties.language = "vi-VN"
    document.core_properties.author = registered_by
    national_header(document, issuer_lines(commune_name), date_line(place_from_name(commune_name), registered_on))
    paragraph(
        document,
        "PHIẾU THEO DÕI VĂN BẢN CÓ NGUỒN GỐC BÊN NGOÀI",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=14,
        bold=True,
        before=18,
    )
    rule(document, 40, text_width_mm(document), before=6, after=10)
    rows = (
        ("Số, ký hiệu", spec.number),
        ("Trích yếu", spec.title),
        ("Cơ quan ban hành", spec.issuer),
        ("Ngày ban hành", format_date(spec.issued_on) or "—"),
        ("Ngày có hiệu lực", format_date(spec.effective_on) or "—"),
        ("Tình trạng hiệu lực", LEGAL_STATUS_LABELS[LegalStatus(status)]),
        ("Lĩnh vực", spec.field or "—"),
        ("Tài liệu nội bộ căn cứ văn bản này", ", ".join(based_on) or "—"),
    )
    grid(document, Grid(("Thông tin", "Nội dung"), (50, 115), rows))
    paragraph(document, "Nội dung áp dụng tại Ủy ban nhân dân xã:", size=BODY_PT, bold=True, before=10, after=3)
    for line in spec.applies:
        paragraph(document, f"- {line}", size=BODY_PT, indent_first=10, after=3, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph(
        document,
        "Phiếu này dùng để theo dõi văn bản trong hệ thống quản lý chất lượng; toàn văn tra cứu tại "
        "Cơ sở dữ liệu quốc gia về văn bản pháp luật hoặc Công báo.",
        size=BODY_PT,
        italic=True,
        before=8,
        indent_first=10,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    signature_pair(document, ("", ""), ("NGƯỜI CẬP NHẬT", "(Thư ký ISO)", registered_by), space_mm=12)
    return to_bytes(document)
