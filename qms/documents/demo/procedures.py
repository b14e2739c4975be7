"""The procedures of the demo commune's one-stop shop: receiving and returning dossiers (QT-06, with
the forms of Circular 01/2018/TT-VPCP), and one internal process per administrative procedure
(domain guide section 5): birth, marriage and death registration, certified copies, signature
certification. Each says its legal bases, dossier, time limit, fee, steps (who, what, how long,
which forms) and records. Time limits and fees are those the domain guide lists; each step table
adds up to no more than the statutory limit."""

from __future__ import annotations

from dataclasses import dataclass

from qms.documents.demo.parts import H1, H2, Control, Grid, L, P, qms_document
from qms.documents.demo.system import common_terms, records, steps

ONE_STOP_OLD = "Bộ phận Tiếp nhận và Trả kết quả"
ONE_STOP = "Trung tâm Phục vụ hành chính công"
PORTAL = "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)"
RECEIVER = "Công chức tiếp nhận (Trung tâm PVHCC)"
CIVIL_STATUS = "Công chức Tư pháp - Hộ tịch"
LEADER = "Chủ tịch hoặc Phó Chủ tịch UBND xã"
CLERK = "Văn thư UBND xã"


# --- QT-06 --------------------------------------------------------------------------------------


def one_stop(control: Control) -> bytes:
    """Issue 01 follows Decree 61/2018 and the former one-stop section; issue 02 follows Decree
    118/2025, which replaced it from 01/07/2025, and the commune's Public Administrative Service Centre."""
    before_reform = control.issue_no == 1
    unit = ONE_STOP_OLD if before_reform else ONE_STOP
    short = "Bộ phận TN&TKQ" if before_reform else "Trung tâm PVHCC"
    decree = (
        "Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên "
        "thông trong giải quyết thủ tục hành chính"
        if before_reform
        else "Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ về thực hiện thủ tục hành chính theo cơ chế "
        "một cửa, một cửa liên thông tại Bộ phận Một cửa và Cổng Dịch vụ công quốc gia"
    )
    forms = "BM-01-QT-06" if before_reform else "BM-01, BM-02, BM-03, BM-06-QT-06"
    blocks = [
        H1("1. MỤC ĐÍCH"),
        P(
            f"Quy định thống nhất việc hướng dẫn, tiếp nhận, chuyển xử lý, theo dõi và trả kết quả giải quyết thủ "
            f"tục hành chính tại {unit} của Ủy ban nhân dân xã, bảo đảm công khai, đúng hạn, thuận tiện cho tổ "
            f"chức, công dân."
        ),
        H1("2. PHẠM VI ÁP DỤNG"),
        P(
            f"Áp dụng cho mọi thủ tục hành chính thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã và Chủ tịch "
            f"Ủy ban nhân dân xã được tiếp nhận trực tiếp tại {unit}, qua dịch vụ bưu chính công ích hoặc trực "
            f"tuyến trên {PORTAL}."
        ),
        H1("3. TÀI LIỆU VIỆN DẪN"),
        L(
            f"{decree}.",
            "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ hướng dẫn thi hành một số quy "
            "định của Nghị định về cơ chế một cửa, một cửa liên thông (các mẫu phiếu, sổ).",
            "Quyết định của Chủ tịch UBND tỉnh công bố danh mục thủ tục hành chính thuộc thẩm quyền giải quyết của "
            "UBND cấp xã.",
        ),
        H1("4. ĐỊNH NGHĨA VÀ TỪ VIẾT TẮT"),
        common_terms(
            f"{short}: {unit} của UBND xã.",
            "Mã hồ sơ: mã do Hệ thống thông tin giải quyết TTHC của tỉnh cấp khi tiếp nhận.",
        ),
        H1("5. NỘI DUNG"),
        H2("5.1. Hướng dẫn và tiếp nhận hồ sơ"),
        L(
            "Công chức tiếp nhận hướng dẫn tổ chức, công dân kê khai, chuẩn bị hồ sơ; kiểm tra tính đầy đủ, chính xác "
            "của hồ sơ.",
            "Hồ sơ đầy đủ: cập nhật vào Hệ thống, cấp mã hồ sơ, lập Giấy tiếp nhận hồ sơ và hẹn trả kết quả "
            "(BM-01-QT-06), ghi Sổ theo dõi hồ sơ (BM-06-QT-06).",
            "Hồ sơ chưa đầy đủ: hướng dẫn bổ sung một lần bằng Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (BM-02-QT-06).",
            "Hồ sơ không thuộc thẩm quyền hoặc không đủ điều kiện: lập Phiếu từ chối tiếp nhận giải quyết hồ sơ "
            "(BM-03-QT-06), nêu rõ lý do.",
            "Hồ sơ nhận sau 15 giờ của thủ tục giải quyết trong ngày được tính từ ngày làm việc tiếp theo.",
        ),
        H2("5.2. Chuyển hồ sơ và theo dõi"),
        P(
            "Hồ sơ giấy được chuyển cho công chức chuyên môn kèm Phiếu kiểm soát quá trình giải quyết hồ sơ "
            "(BM-05-QT-06); mỗi lần giao, nhận đều ghi thời gian và ký. Hồ sơ điện tử được chuyển trên Hệ thống."
        ),
        H2("5.3. Hồ sơ có nguy cơ quá hạn"),
        P(
            "Chậm nhất 01 ngày làm việc trước ngày hẹn trả, cơ quan giải quyết lập Phiếu xin lỗi và hẹn lại ngày trả "
            "kết quả (BM-04-QT-06) do Chủ tịch UBND xã ký, gửi tổ chức, công dân; ngày hẹn chỉ được hẹn lại một lần. "
            "Trường hợp quá hạn được ghi nhận là sự không phù hợp theo QT-03."
        ),
        H2("5.4. Trình tự thực hiện"),
        steps(
            (
                RECEIVER,
                "Hướng dẫn, kiểm tra hồ sơ; tiếp nhận, cấp mã, hẹn trả; hoặc yêu cầu bổ sung, từ chối",
                "Theo từng TTHC",
                forms,
            ),
            (RECEIVER, "Chuyển hồ sơ đến công chức chuyên môn", "Trong ngày tiếp nhận", "BM-05-QT-06"),
            (
                "Công chức chuyên môn",
                "Thẩm định, xử lý, trình Lãnh đạo ký; nếu quá hạn: lập BM-04-QT-06",
                "Theo từng TTHC",
                "Dự thảo kết quả",
            ),
            (LEADER, "Ký kết quả giải quyết", "Theo từng TTHC", "Kết quả đã ký"),
            (
                CLERK,
                "Vào sổ, đóng dấu; chuyển kết quả về Trung tâm PVHCC"
                if not before_reform
                else "Vào sổ, đóng dấu; chuyển kết quả về Bộ phận TN&TKQ",
                "Theo từng TTHC",
                "Kết quả",
            ),
            (
                RECEIVER,
                "Trả kết quả; thu phí, lệ phí (nếu có); mời đánh giá mức độ hài lòng; cập nhật Hệ thống",
                "Đúng ngày hẹn",
                "BM-06-QT-06",
            ),
        ),
        H1("6. BIỂU MẪU"),
        Grid(
            ("TT", "Mã hiệu", "Tên biểu mẫu"),
            (11, 40, 114),
            (
                (("1", "BM-01-QT-06", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),)
                if before_reform
                else (
                    ("1", "BM-01-QT-06", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
                    ("2", "BM-02-QT-06", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
                    ("3", "BM-03-QT-06", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
                    ("4", "BM-04-QT-06", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
                    ("5", "BM-05-QT-06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
                    ("6", "BM-06-QT-06", "Sổ theo dõi hồ sơ"),
                )
            ),
            centered=frozenset({0, 1}),
        ),
        H1("7. HỒ SƠ"),
        records(
            ("Sổ theo dõi hồ sơ (giấy hoặc điện tử)", short, "05 năm"),
            ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Công chức chuyên môn", "Theo hồ sơ TTHC"),
            ("Phiếu yêu cầu bổ sung, phiếu từ chối, phiếu xin lỗi", short, "03 năm"),
        ),
    ]
    return qms_document(
        control,
        ("QUY TRÌNH", "TIẾP NHẬN VÀ TRẢ KẾT QUẢ", "GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
        blocks,
        header_lines=("QUY TRÌNH", "TIẾP NHẬN VÀ TRẢ KẾT QUẢ", "GIẢI QUYẾT TTHC"),
    )


def software_instruction(control: Control) -> bytes:
    """HD-01-QT-06: how the former one-stop section recorded dossiers in the provincial software it
    used until the systems changed in 2025 (withdrawn in the demo)."""
    blocks = [
        H1("1. MỤC ĐÍCH"),
        P(
            "Hướng dẫn công chức Bộ phận Tiếp nhận và Trả kết quả cập nhật hồ sơ thủ tục hành chính vào phần mềm "
            "Một cửa điện tử của tỉnh, bảo đảm mọi hồ sơ đều có mã và được theo dõi đến khi trả kết quả."
        ),
        H1("2. PHẠM VI ÁP DỤNG"),
        P("Áp dụng cho công chức tiếp nhận hồ sơ và công chức chuyên môn của Ủy ban nhân dân xã."),
        H1("3. NỘI DUNG HƯỚNG DẪN"),
        Grid(
            ("TT", "Thao tác", "Cách thực hiện"),
            (11, 45, 109),
            (
                ("1", "Đăng nhập", "Đăng nhập phần mềm bằng tài khoản được cấp; đổi mật khẩu lần đầu"),
                (
                    "2",
                    "Tiếp nhận hồ sơ",
                    "Chọn “Tiếp nhận mới”, chọn thủ tục, nhập thông tin người nộp, đánh dấu thành "
                    "phần hồ sơ; phần mềm cấp mã hồ sơ và in Giấy tiếp nhận (BM-01-QT-06)",
                ),
                ("3", "Chuyển xử lý", "Chọn hồ sơ, “Chuyển xử lý”, chọn công chức chuyên môn"),
                ("4", "Cập nhật kết quả", "Công chức chuyên môn chọn “Hoàn thành”, đính kèm kết quả đã ký"),
                ("5", "Trả kết quả", "Chọn “Trả kết quả”, ghi ngày trả; in danh sách hồ sơ trả trong ngày"),
            ),
            centered=frozenset({0}),
        ),
        H1("4. HỒ SƠ"),
        P("Dữ liệu hồ sơ được lưu trên phần mềm Một cửa điện tử của tỉnh."),
    ]
    return qms_document(
        control,
        ("HƯỚNG DẪN", "TIẾP NHẬN HỒ SƠ TRÊN PHẦN MỀM", "MỘT CỬA ĐIỆN TỬ"),
        blocks,
        header_lines=("HƯỚNG DẪN", "TIẾP NHẬN HỒ SƠ TRÊN", "PHẦN MỀM MỘT CỬA ĐIỆN TỬ"),
    )


# --- the internal process of one administrative procedure ----------------------------------------


@dataclass(frozen=True)
class AdministrativeProcedure:
    """What a per-procedure process document says (the framework model's section 5)."""

    national_code: str
    name: str  # upper case, as printed in the header
    purpose: str
    legal_bases: tuple
    requirements: tuple
    dossier: tuple
    copies: str
    time_limit: str
    place: str
    fee: str
    result: str
    steps: tuple  # (who, what, time, forms)
    total_time: str
    records: tuple  # (name, who keeps, how long)


def administrative_procedure(control: Control, spec: AdministrativeProcedure) -> bytes:
    blocks = [
        H1("1. MỤC ĐÍCH"),
        P(spec.purpose),
        H1("2. PHẠM VI ÁP DỤNG"),
        P(
            f"Áp dụng đối với tổ chức, công dân có yêu cầu; công chức Trung tâm PVHCC, công chức chuyên môn, Lãnh "
            f"đạo và Văn thư Ủy ban nhân dân xã. Mã thủ tục hành chính trên Cơ sở dữ liệu quốc gia: "
            f"{spec.national_code}."
        ),
        H1("3. TÀI LIỆU VIỆN DẪN"),
        L("TCVN ISO 9001:2015.", "Quy trình tiếp nhận và trả kết quả giải quyết TTHC (QT-06)."),
        H1("4. ĐỊNH NGHĨA VÀ TỪ VIẾT TẮT"),
        common_terms(),
        H1("5. NỘI DUNG QUY TRÌNH"),
        H2("5.1. Cơ sở pháp lý"),
        L(*spec.legal_bases),
        H2("5.2. Yêu cầu, điều kiện"),
        L(*spec.requirements),
        H2("5.3. Thành phần hồ sơ"),
        Grid(
            ("TT", "Thành phần hồ sơ", "Bản chính", "Bản sao"),
            (11, 110, 22, 22),
            tuple((str(i), name, original, copy) for i, (name, original, copy) in enumerate(spec.dossier, start=1)),
            centered=frozenset({0, 2, 3}),
        ),
        H2("5.4. Số lượng hồ sơ"),
        P(spec.copies),
        H2("5.5. Thời hạn giải quyết"),
        P(spec.time_limit),
        H2("5.6. Nơi tiếp nhận và trả kết quả"),
        P(spec.place),
        H2("5.7. Lệ phí, phí"),
        P(spec.fee),
        H2("5.8. Kết quả giải quyết"),
        P(spec.result),
        H2("5.9. Quy trình xử lý công việc"),
        steps(*spec.steps),
        P(f"Tổng thời gian giải quyết: {spec.total_time}", italic=True),
        H1("6. BIỂU MẪU"),
        Grid(
            ("TT", "Mã hiệu", "Tên biểu mẫu"),
            (11, 40, 114),
            (
                ("1", "BM-01-QT-06", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
                ("2", "BM-02-QT-06", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
                ("3", "BM-03-QT-06", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
                ("4", "BM-04-QT-06", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
                ("5", "BM-05-QT-06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
                ("6", "BM-06-QT-06", "Sổ theo dõi hồ sơ"),
                ("7", f"BM-01-{control.code}", _own_form(control.code)),
            ),
            centered=frozenset({0, 1}),
        ),
        H1("7. HỒ SƠ CẦN LƯU"),
        records(*spec.records),
    ]
    return qms_document(control, ("QUY TRÌNH", *spec.name.split("\n")), blocks)


def _own_form(code):
    return {
        "QT-07": "Tờ khai đăng ký khai sinh",
        "QT-08": "Tờ khai đăng ký kết hôn",
        "QT-09": "Sổ chứng thực bản sao từ bản chính",
        "QT-10": "Sổ chứng thực chữ ký",
        "QT-11": "Tờ khai đăng ký khai tử",
    }[code]


RECEIVE = "BM-01, BM-02, BM-03, BM-06-QT-06"

CIVIL_STATUS_LAW = "Luật Hộ tịch số 60/2014/QH13 ngày 20/11/2014."
CIVIL_STATUS_DECREE = (
    "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ quy định chi tiết một số điều và "
    "biện pháp thi hành Luật Hộ tịch."
)
CIVIL_STATUS_CIRCULAR = (
    "Thông tư số 04/2020/TT-BTP ngày 28/5/2020 của Bộ trưởng Bộ Tư pháp quy định chi tiết thi "
    "hành một số điều của Luật Hộ tịch (các mẫu tờ khai, sổ hộ tịch)."
)
ONE_STOP_DECREE = (
    "Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ về thực hiện thủ tục hành chính theo "
    "cơ chế một cửa, một cửa liên thông."
)
CERTIFICATION_DECREE = (
    "Nghị định số 23/2015/NĐ-CP ngày 16/02/2015 của Chính phủ về cấp bản sao từ sổ gốc, chứng "
    "thực bản sao từ bản chính, chứng thực chữ ký và chứng thực hợp đồng, giao dịch."
)
CERTIFICATION_CIRCULAR = (
    "Thông tư số 01/2020/TT-BTP ngày 03/3/2020 của Bộ trưởng Bộ Tư pháp quy định chi tiết và "
    "hướng dẫn thi hành Nghị định số 23/2015/NĐ-CP."
)
CERTIFICATION_FEES = (
    "Thông tư số 226/2016/TT-BTC ngày 11/11/2016 của Bộ trưởng Bộ Tài chính quy định mức thu, "
    "chế độ thu, nộp, quản lý và sử dụng phí chứng thực."
)
PLACE = f"{ONE_STOP} xã Hòa Bình, trong giờ hành chính các ngày làm việc; hoặc trực tuyến trên {PORTAL}."
PLACE_IN_PERSON = f"{ONE_STOP} xã Hòa Bình, trong giờ hành chính các ngày làm việc (người yêu cầu trực tiếp đến)."
SATISFACTION = "Trả kết quả; người nhận ký Sổ theo dõi hồ sơ; cập nhật Hệ thống; mời đánh giá mức độ hài lòng"

BIRTH = AdministrativeProcedure(
    national_code="1.001193",
    name="ĐĂNG KÝ KHAI SINH",
    purpose="Quy định trình tự, trách nhiệm và thời gian giải quyết thủ tục đăng ký khai sinh tại Ủy ban nhân dân "
    "xã, bảo đảm mọi trẻ em sinh ra được đăng ký khai sinh đúng quy định và đúng hạn.",
    legal_bases=(CIVIL_STATUS_LAW, CIVIL_STATUS_DECREE, CIVIL_STATUS_CIRCULAR, ONE_STOP_DECREE),
    requirements=(
        "Cha, mẹ hoặc người thân thích có trách nhiệm đăng ký khai sinh cho trẻ trong thời hạn 60 ngày kể "
        "từ ngày sinh.",
        "Người đi đăng ký xuất trình giấy tờ tùy thân hoặc thông tin định danh điện tử (VNeID) để chứng "
        "minh nhân thân.",
    ),
    dossier=(
        ("Tờ khai đăng ký khai sinh (BM-01-QT-07)", "01", ""),
        ("Giấy chứng sinh; nếu không có: văn bản của người làm chứng hoặc giấy cam đoan về việc sinh", "01", ""),
        ("Giấy chứng nhận kết hôn của cha, mẹ (nếu có; xuất trình hoặc khai thác từ cơ sở dữ liệu)", "", "01"),
    ),
    copies="01 bộ.",
    time_limit="Ngay trong ngày tiếp nhận hồ sơ; hồ sơ nhận sau 15 giờ mà không giải quyết được ngay thì trả kết quả "
    "trong ngày làm việc tiếp theo.",
    place=PLACE,
    fee="Miễn lệ phí đối với đăng ký khai sinh đúng hạn (Luật Hộ tịch, điều 11); cấp bản sao trích lục theo yêu cầu: "
    "8.000 đồng/bản.",
    result="Giấy khai sinh (bản chính); bản sao Giấy khai sinh nếu người đi đăng ký yêu cầu.",
    steps=(
        (
            RECEIVER,
            "Kiểm tra hồ sơ, đối chiếu giấy tờ; đủ: tiếp nhận, cấp mã, hẹn trả; thiếu: hướng dẫn bổ sung "
            "một lần; không đủ điều kiện: từ chối",
            "30 phút",
            RECEIVE,
        ),
        (RECEIVER, "Chuyển hồ sơ cho công chức Tư pháp - Hộ tịch", "15 phút", "BM-05-QT-06"),
        (
            CIVIL_STATUS,
            "Thẩm định; ghi Sổ đăng ký khai sinh và Cơ sở dữ liệu hộ tịch điện tử; in Giấy khai sinh; trình ký",
            "1 giờ 30 phút",
            "Dự thảo Giấy khai sinh",
        ),
        (LEADER, "Xem xét, ký Giấy khai sinh", "1 giờ", "Giấy khai sinh đã ký"),
        (CLERK, "Đóng dấu; chuyển kết quả về Trung tâm PVHCC", "15 phút", "Giấy khai sinh"),
        (RECEIVER, SATISFACTION + "; người đi đăng ký ký Sổ đăng ký khai sinh", "15 phút", "BM-06-QT-06"),
        (CIVIL_STATUS, "Lưu hồ sơ; thống kê, báo cáo", "Sau khi trả", "Hồ sơ lưu"),
    ),
    total_time="không quá 04 giờ làm việc, trong ngày tiếp nhận (mốc 15 giờ như mục 5.5).",
    records=(
        ("Hồ sơ đăng ký khai sinh", CIVIL_STATUS, "Vĩnh viễn"),
        ("Sổ đăng ký khai sinh", CIVIL_STATUS, "Vĩnh viễn"),
        ("Phiếu kiểm soát quá trình giải quyết hồ sơ", CIVIL_STATUS, "Theo hồ sơ"),
    ),
)

MARRIAGE = AdministrativeProcedure(
    national_code="1.000894",
    name="ĐĂNG KÝ KẾT HÔN",
    purpose="Quy định trình tự, trách nhiệm và thời gian giải quyết thủ tục đăng ký kết hôn giữa công dân Việt Nam "
    "cư trú ở trong nước tại Ủy ban nhân dân xã.",
    legal_bases=(
        CIVIL_STATUS_LAW,
        CIVIL_STATUS_DECREE,
        CIVIL_STATUS_CIRCULAR,
        "Luật Hôn nhân và gia đình số 52/2014/QH13 (điều kiện kết hôn).",
        ONE_STOP_DECREE,
    ),
    requirements=(
        "Hai bên nam, nữ đủ điều kiện kết hôn theo Luật Hôn nhân và gia đình; cùng có mặt khi đăng ký.",
        "Ủy ban nhân dân xã nơi cư trú của một trong hai bên thực hiện đăng ký.",
    ),
    dossier=(
        ("Tờ khai đăng ký kết hôn (BM-01-QT-08)", "01", ""),
        (
            "Giấy xác nhận tình trạng hôn nhân, nếu người đăng ký không cư trú tại xã (trừ khi thông tin đã có "
            "trong Cơ sở dữ liệu hộ tịch điện tử)",
            "01",
            "",
        ),
        ("Giấy tờ tùy thân hoặc thông tin định danh điện tử của hai bên (xuất trình)", "", ""),
    ),
    copies="01 bộ.",
    time_limit="Ngay trong ngày tiếp nhận hồ sơ; trường hợp cần xác minh điều kiện kết hôn, không quá 05 ngày làm "
    "việc.",
    place=PLACE_IN_PERSON,
    fee="Miễn lệ phí đăng ký kết hôn của công dân Việt Nam cư trú ở trong nước (Luật Hộ tịch, điều 11).",
    result="Giấy chứng nhận kết hôn (02 bản chính, mỗi bên một bản).",
    steps=(
        (RECEIVER, "Kiểm tra hồ sơ, giấy tờ tùy thân của hai bên; tiếp nhận, cấp mã, hẹn trả", "30 phút", RECEIVE),
        (RECEIVER, "Chuyển hồ sơ cho công chức Tư pháp - Hộ tịch", "15 phút", "BM-05-QT-06"),
        (
            CIVIL_STATUS,
            "Kiểm tra điều kiện kết hôn; cần xác minh: báo cáo Lãnh đạo, xác minh (không quá 05 ngày "
            "làm việc); ghi Sổ đăng ký kết hôn, in Giấy chứng nhận; trình ký",
            "1 giờ 30 phút",
            "Dự thảo Giấy chứng nhận kết hôn",
        ),
        (LEADER, "Ký Giấy chứng nhận kết hôn", "1 giờ", "Giấy chứng nhận đã ký"),
        (CLERK, "Đóng dấu; chuyển kết quả", "15 phút", "Giấy chứng nhận"),
        (
            LEADER + " (hoặc công chức được giao)",
            "Tổ chức trao Giấy chứng nhận kết hôn; hai bên ký Sổ đăng ký kết hôn và Giấy chứng nhận; cập nhật Hệ thống",
            "30 phút",
            "BM-06-QT-06",
        ),
        (CIVIL_STATUS, "Lưu hồ sơ; thống kê", "Sau khi trả", "Hồ sơ lưu"),
    ),
    total_time="không quá 04 giờ làm việc, trong ngày tiếp nhận; trường hợp xác minh không quá 05 ngày làm việc.",
    records=(("Hồ sơ đăng ký kết hôn", CIVIL_STATUS, "Vĩnh viễn"), ("Sổ đăng ký kết hôn", CIVIL_STATUS, "Vĩnh viễn")),
)

CERTIFIED_COPY = AdministrativeProcedure(
    national_code="2.000815",
    name="CHỨNG THỰC BẢN SAO\nTỪ BẢN CHÍNH",
    purpose="Quy định trình tự, trách nhiệm và thời gian chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan "
    "có thẩm quyền của Việt Nam cấp hoặc chứng nhận tại Ủy ban nhân dân xã.",
    legal_bases=(CERTIFICATION_DECREE, CERTIFICATION_CIRCULAR, CERTIFICATION_FEES, ONE_STOP_DECREE),
    requirements=(
        "Bản chính không thuộc các trường hợp không được chứng thực (bị tẩy xóa, sửa chữa, hư hỏng, cũ nát "
        "không xác định được nội dung; có nội dung trái pháp luật; đóng dấu mật...).",
        "Người yêu cầu chịu trách nhiệm về tính hợp pháp của bản chính.",
    ),
    dossier=(
        ("Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", "01", ""),
        ("Bản sao cần chứng thực (nếu người yêu cầu không tự chụp, Trung tâm PVHCC chụp từ bản chính)", "", "01"),
    ),
    copies="Theo số bản sao người yêu cầu đề nghị.",
    time_limit="Trong ngày tiếp nhận; hồ sơ nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo; số lượng lớn hoặc "
    "bản chính nhiều trang thì không quá 02 ngày làm việc hoặc theo thời hạn thỏa thuận bằng văn bản.",
    place=PLACE_IN_PERSON,
    fee="2.000 đồng/trang đối với trang thứ nhất và thứ hai; từ trang thứ ba trở đi 1.000 đồng/trang; tối đa không "
    "quá 200.000 đồng/bản.",
    result="Bản sao được chứng thực từ bản chính.",
    steps=(
        (RECEIVER, "Kiểm tra bản chính, bản sao; tiếp nhận, cấp mã, hẹn trả", "15 phút", RECEIVE),
        (
            "Công chức Tư pháp - Hộ tịch",
            "Đối chiếu bản sao với bản chính; ghi lời chứng; trình ký",
            "1 giờ",
            "BM-05-QT-06",
        ),
        (LEADER, "Ký chứng thực", "1 giờ", "Bản sao đã ký"),
        (CLERK, "Đóng dấu; ghi Sổ chứng thực bản sao từ bản chính", "15 phút", "BM-01-QT-09"),
        (RECEIVER, "Thu phí, giao biên lai; " + SATISFACTION[0].lower() + SATISFACTION[1:], "15 phút", "BM-06-QT-06"),
    ),
    total_time="không quá 02 giờ 45 phút làm việc, trong ngày tiếp nhận (mốc 15 giờ như mục 5.5).",
    records=(
        ("Sổ chứng thực bản sao từ bản chính", CLERK, "Vĩnh viễn"),
        ("Biên lai thu phí", "Công chức Tài chính - Kế toán", "Theo quy định kế toán"),
    ),
)

SIGNATURE_STEPS = {
    1: (
        (RECEIVER, "Kiểm tra giấy tờ tùy thân (bản chính) và giấy tờ cần ký; tiếp nhận, cấp mã", "15 phút", RECEIVE),
        (
            "Công chức Tư pháp - Hộ tịch",
            "Người yêu cầu ký trước mặt công chức; ghi lời chứng; trình ký",
            "45 phút",
            "BM-05-QT-06",
        ),
        (LEADER, "Ký chứng thực", "1 giờ", "Giấy tờ đã chứng thực"),
        (CLERK, "Đóng dấu; ghi Sổ chứng thực chữ ký", "15 phút", "BM-01-QT-10"),
        (RECEIVER, "Thu phí, giao biên lai; trả kết quả; cập nhật Hệ thống", "15 phút", "BM-06-QT-06"),
    ),
    2: (
        (
            RECEIVER,
            "Kiểm tra giấy tờ tùy thân: xuất trình bản chính hoặc tra cứu thông tin định danh điện tử trên "
            "ứng dụng VNeID / Cơ sở dữ liệu quốc gia về dân cư; tiếp nhận, cấp mã",
            "15 phút",
            RECEIVE,
        ),
        (
            "Công chức Tư pháp - Hộ tịch",
            "Người yêu cầu ký trước mặt công chức; ghi lời chứng; trình ký",
            "45 phút",
            "BM-05-QT-06",
        ),
        (LEADER, "Ký chứng thực", "45 phút", "Giấy tờ đã chứng thực"),
        (CLERK, "Đóng dấu; ghi Sổ chứng thực chữ ký", "15 phút", "BM-01-QT-10"),
        (RECEIVER, "Thu phí, giao biên lai; trả kết quả; cập nhật Hệ thống", "15 phút", "BM-06-QT-06"),
    ),
}


def signature_procedure(control: Control) -> bytes:
    return administrative_procedure(control, signature(control.issue_no))


def signature(issue_no) -> AdministrativeProcedure:
    """Issue 02 lets the officer check identity from the electronic ID instead of the paper card."""
    return AdministrativeProcedure(
        national_code="2.000884",
        name="CHỨNG THỰC CHỮ KÝ\nTRONG GIẤY TỜ, VĂN BẢN",
        purpose="Quy định trình tự, trách nhiệm và thời gian chứng thực chữ ký của cá nhân trong giấy tờ, văn bản tại "
        "Ủy ban nhân dân xã.",
        legal_bases=(CERTIFICATION_DECREE, CERTIFICATION_CIRCULAR, CERTIFICATION_FEES, ONE_STOP_DECREE),
        requirements=(
            "Người yêu cầu chứng thực minh mẫn, nhận thức và làm chủ được hành vi; phải ký trước mặt người "
            "thực hiện chứng thực.",
            "Giấy tờ, văn bản không có nội dung trái pháp luật, trái đạo đức xã hội.",
        ),
        dossier=(
            (
                "Giấy tờ tùy thân còn giá trị sử dụng"
                + ("" if issue_no == 1 else " (hoặc thông tin định danh điện tử mức độ 2)"),
                "01",
                "",
            ),
            ("Giấy tờ, văn bản mà người yêu cầu sẽ ký", "01", ""),
        ),
        copies="01 bộ.",
        time_limit="Trong ngày tiếp nhận; hồ sơ nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo.",
        place=PLACE_IN_PERSON,
        fee="10.000 đồng/trường hợp (một hoặc nhiều chữ ký trong cùng một giấy tờ, văn bản).",
        result="Giấy tờ, văn bản đã được chứng thực chữ ký.",
        steps=SIGNATURE_STEPS[min(issue_no, 2)],
        total_time="không quá 02 giờ 30 phút làm việc, trong ngày tiếp nhận."
        if issue_no == 1
        else "không quá 02 giờ 15 phút làm việc, trong ngày tiếp nhận.",
        records=(
            ("Sổ chứng thực chữ ký", CLERK, "Vĩnh viễn"),
            ("Biên lai thu phí", "Công chức Tài chính - Kế toán", "Theo quy định kế toán"),
        ),
    )


DEATH = AdministrativeProcedure(
    national_code="1.000656",
    name="ĐĂNG KÝ KHAI TỬ",
    purpose="Quy định trình tự, trách nhiệm và thời gian giải quyết thủ tục đăng ký khai tử tại Ủy ban nhân dân xã.",
    legal_bases=(CIVIL_STATUS_LAW, CIVIL_STATUS_DECREE, CIVIL_STATUS_CIRCULAR, ONE_STOP_DECREE),
    requirements=(
        "Người thân thích của người chết có trách nhiệm đăng ký khai tử trong thời hạn 15 ngày kể từ ngày có "
        "người chết.",
    ),
    dossier=(
        ("Tờ khai đăng ký khai tử (BM-01-QT-11)", "01", ""),
        ("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử do cơ quan có thẩm quyền cấp", "01", ""),
    ),
    copies="01 bộ.",
    time_limit="Ngay trong ngày tiếp nhận; trường hợp cần xác minh, không quá 03 ngày làm việc.",
    place=PLACE,
    fee="Miễn lệ phí đối với đăng ký khai tử đúng hạn.",
    result="Trích lục khai tử (bản chính).",
    steps=(
        (RECEIVER, "Kiểm tra hồ sơ; tiếp nhận, cấp mã, hẹn trả", "30 phút", RECEIVE),
        (RECEIVER, "Chuyển hồ sơ cho công chức Tư pháp - Hộ tịch", "15 phút", "BM-05-QT-06"),
        (
            CIVIL_STATUS,
            "Thẩm định; ghi Sổ đăng ký khai tử và Cơ sở dữ liệu hộ tịch điện tử; trình ký",
            "1 giờ",
            "Dự thảo Trích lục khai tử",
        ),
        (LEADER, "Ký Trích lục khai tử", "1 giờ", "Trích lục đã ký"),
        (CLERK, "Đóng dấu; chuyển kết quả", "15 phút", "Trích lục khai tử"),
        (RECEIVER, SATISFACTION, "15 phút", "BM-06-QT-06"),
    ),
    total_time="không quá 03 giờ 15 phút làm việc, trong ngày tiếp nhận.",
    records=(("Hồ sơ đăng ký khai tử", CIVIL_STATUS, "Vĩnh viễn"), ("Sổ đăng ký khai tử", CIVIL_STATUS, "Vĩnh viễn")),
)
