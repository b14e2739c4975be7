"""The procedures of the demo commune's one-stop shop: receiving and returning dossiers (QT-06, with
the forms of Circular 01/2018/TT-VPCP), and one internal process per administrative procedure
(domain guide section 5): birth, marriage and death registration, certified copies, signature
certification (QT-07..QT-11); the marital-status certificate, copies of civil-status extracts,
recognition of parents and children, guardianship, changes and corrections of civil-status
records, certification of contracts and the monthly social allowance (QT-12..QT-18). Each says its
legal bases, dossier, time limit, fee, steps (who, what, how long, which forms) and records. Time
limits and fees are those the domain guide lists, or the statutory ones as best known; each step
table adds up to no more than the statutory limit (from QT-12 on, to the allowances of the
procedure's process map in process_maps/)."""

from __future__ import annotations

from dataclasses import dataclass

from qms.documents.demo.parts import H1, H2, Control, Grid, L, P, qms_document
from qms.documents.demo.system import common_terms, records, steps

ONE_STOP_OLD = "Bộ phận Tiếp nhận và Trả kết quả"
ONE_STOP = "Trung tâm Phục vụ hành chính công"
PORTAL = "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)"
RECEIVER = "Công chức tiếp nhận (Trung tâm PVHCC)"
CIVIL_STATUS = "Công chức Tư pháp - Hộ tịch"
CULTURE_SOCIAL = "Công chức Văn hóa - Xã hội"
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
        "QT-12": "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
        "QT-13": "Tờ khai cấp bản sao trích lục hộ tịch",
        "QT-14": "Tờ khai đăng ký nhận cha, mẹ, con",
        "QT-15": "Tờ khai đăng ký giám hộ",
        "QT-16": "Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        "QT-17": "Sổ chứng thực hợp đồng, giao dịch",
        "QT-18": "Tờ khai đề nghị trợ giúp xã hội",
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


# --- QT-12 to QT-18: the step times are those of the process maps (process_maps/) ---------------------

PROVINCE_FEES = (
    "Thông tư số 85/2019/TT-BTC ngày 29/11/2019 của Bộ trưởng Bộ Tài chính hướng dẫn về phí và lệ phí "
    "thuộc thẩm quyền quyết định của Hội đồng nhân dân tỉnh; Nghị quyết của HĐND tỉnh quy định mức thu lệ phí hộ tịch."
)
PROVINCE_FEE = (
    "Lệ phí theo mức do Hội đồng nhân dân tỉnh quy định (niêm yết tại Trung tâm PVHCC); miễn lệ phí cho người "
    "thuộc gia đình có công với cách mạng, người thuộc hộ nghèo, người khuyết tật (Luật Hộ tịch, điều 11)."
)
CIVIL_CODE = "Bộ luật Dân sự số 91/2015/QH13 ngày 24/11/2015."
JUSTICE_DECENTRALISATION = (
    "Nghị định số 120/2025/NĐ-CP ngày 11/6/2025 của Chính phủ quy định về phân định thẩm quyền của chính "
    "quyền địa phương 02 cấp trong lĩnh vực quản lý nhà nước của Bộ Tư pháp."
)
RECEIVE_STEP = (
    "Kiểm tra hồ sơ; đủ: tiếp nhận, cấp mã, hẹn trả, chuyển hồ sơ kèm BM-05-QT-06; thiếu: hướng dẫn bổ sung "
    "một lần; không đủ điều kiện: từ chối"
)
SEAL = "Vào số, đóng dấu; chuyển kết quả về Trung tâm PVHCC"
ID_PAPERS = ("Giấy tờ tùy thân hoặc thông tin định danh điện tử của người yêu cầu (xuất trình)", "", "")


def _civil_status_records(name, register):
    return ((f"Hồ sơ {name}", CIVIL_STATUS, "Vĩnh viễn"), (register, CIVIL_STATUS, "Vĩnh viễn"))


MARITAL_STATUS = AdministrativeProcedure(
    national_code="1.004873",
    name="CẤP GIẤY XÁC NHẬN\nTÌNH TRẠNG HÔN NHÂN",
    purpose="Quy định trình tự, trách nhiệm và thời gian cấp Giấy xác nhận tình trạng hôn nhân cho công dân Việt Nam "
    "tại Ủy ban nhân dân xã, bảo đảm xác nhận đúng tình trạng hôn nhân và đúng hạn.",
    legal_bases=(CIVIL_STATUS_LAW, CIVIL_STATUS_DECREE, CIVIL_STATUS_CIRCULAR, PROVINCE_FEES, ONE_STOP_DECREE),
    requirements=(
        "Ủy ban nhân dân xã nơi người yêu cầu thường trú cấp Giấy xác nhận; người không có nơi thường trú thì nơi "
        "đăng ký tạm trú.",
        "Giấy xác nhận có giá trị 06 tháng kể từ ngày cấp và chỉ dùng vào mục đích ghi trong Giấy xác nhận.",
    ),
    dossier=(
        ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (BM-01-QT-12)", "01", ""),
        ("Giấy tờ chứng minh việc ly hôn hoặc việc vợ, chồng đã chết, nếu người yêu cầu đã từng kết hôn", "", "01"),
        ("Giấy xác nhận tình trạng hôn nhân đã cấp, nếu đề nghị cấp lại", "01", ""),
        ID_PAPERS,
    ),
    copies="01 bộ.",
    time_limit="03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ; trường hợp phải xác minh tại nơi người yêu cầu đã "
    "từng cư trú, thời hạn được kéo dài thêm thời gian xác minh theo quy định.",
    place=PLACE,
    fee=PROVINCE_FEE,
    result="Giấy xác nhận tình trạng hôn nhân (01 bản chính).",
    steps=(
        (RECEIVER, RECEIVE_STEP, "2 giờ", RECEIVE),
        (
            CIVIL_STATUS,
            "Tra cứu Cơ sở dữ liệu hộ tịch điện tử; kiểm tra, xác minh tình trạng hôn nhân; ghi Sổ cấp Giấy xác "
            "nhận; dự thảo Giấy xác nhận; trình ký",
            "1,5 ngày làm việc",
            "Dự thảo Giấy xác nhận",
        ),
        (LEADER, "Xem xét, ký Giấy xác nhận tình trạng hôn nhân", "4 giờ", "Giấy xác nhận đã ký"),
        (CLERK, SEAL, "2 giờ", "Giấy xác nhận"),
        (RECEIVER, "Thu lệ phí; " + SATISFACTION[0].lower() + SATISFACTION[1:], "2 giờ", "BM-06-QT-06"),
    ),
    total_time="không quá 22 giờ làm việc, trong thời hạn 03 ngày làm việc.",
    records=_civil_status_records("cấp Giấy xác nhận tình trạng hôn nhân", "Sổ cấp Giấy xác nhận tình trạng hôn nhân"),
)

EXTRACT_COPY = AdministrativeProcedure(
    national_code="2.000635",
    name="CẤP BẢN SAO\nTRÍCH LỤC HỘ TỊCH",
    purpose="Quy định trình tự, trách nhiệm và thời gian cấp bản sao trích lục về sự kiện hộ tịch đã đăng ký tại Ủy "
    "ban nhân dân xã (khai sinh, kết hôn, khai tử, nhận cha, mẹ, con, giám hộ...).",
    legal_bases=(
        CIVIL_STATUS_LAW,
        CIVIL_STATUS_DECREE,
        CIVIL_STATUS_CIRCULAR,
        "Thông tư số 281/2016/TT-BTC ngày 14/11/2016 của Bộ trưởng Bộ Tài chính (phí khai thác, sử dụng thông tin "
        "trong cơ sở dữ liệu hộ tịch).",
        ONE_STOP_DECREE,
    ),
    requirements=(
        "Sự kiện hộ tịch đã được đăng ký tại Ủy ban nhân dân xã hoặc có trong Cơ sở dữ liệu hộ tịch điện tử.",
        "Người yêu cầu là người có sự kiện hộ tịch, người được ủy quyền, hoặc cơ quan, tổ chức có văn bản yêu cầu "
        "nêu rõ lý do.",
    ),
    dossier=(
        ("Tờ khai cấp bản sao trích lục hộ tịch (BM-01-QT-13) hoặc văn bản yêu cầu của cơ quan, tổ chức", "01", ""),
        ("Văn bản ủy quyền, nếu người được ủy quyền đi yêu cầu (trừ người thân thích theo quy định)", "01", ""),
        ID_PAPERS,
    ),
    copies="01 bộ.",
    time_limit="Ngay trong ngày tiếp nhận; hồ sơ nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo.",
    place=PLACE,
    fee="8.000 đồng/bản sao trích lục (phí khai thác, sử dụng thông tin trong cơ sở dữ liệu hộ tịch).",
    result="Bản sao trích lục hộ tịch (bản giấy hoặc bản điện tử).",
    steps=(
        (RECEIVER, RECEIVE_STEP, "1 giờ", RECEIVE),
        (
            CIVIL_STATUS,
            "Tra cứu Sổ hộ tịch, Cơ sở dữ liệu hộ tịch điện tử; in bản sao trích lục; trình ký",
            "2 giờ",
            "Dự thảo bản sao trích lục",
        ),
        (LEADER, "Ký bản sao trích lục hộ tịch", "2 giờ", "Bản sao trích lục đã ký"),
        (CLERK, "Đóng dấu; chuyển kết quả về Trung tâm PVHCC", "1 giờ", "Bản sao trích lục"),
        (RECEIVER, "Thu phí, giao biên lai; " + SATISFACTION[0].lower() + SATISFACTION[1:], "1 giờ", "BM-06-QT-06"),
    ),
    total_time="không quá 07 giờ làm việc, trong ngày tiếp nhận (mốc 15 giờ như mục 5.5).",
    records=(
        ("Tờ khai, văn bản yêu cầu cấp bản sao trích lục", CIVIL_STATUS, "05 năm"),
        ("Biên lai thu phí", "Công chức Tài chính - Kế toán", "Theo quy định kế toán"),
    ),
)

PARENTAGE = AdministrativeProcedure(
    national_code="1.001022",
    name="ĐĂNG KÝ NHẬN CHA, MẸ, CON",
    purpose="Quy định trình tự, trách nhiệm và thời gian giải quyết thủ tục đăng ký nhận cha, mẹ, con giữa công dân "
    "Việt Nam cư trú ở trong nước tại Ủy ban nhân dân xã.",
    legal_bases=(
        CIVIL_STATUS_LAW,
        CIVIL_STATUS_DECREE,
        CIVIL_STATUS_CIRCULAR,
        "Luật Hôn nhân và gia đình số 52/2014/QH13 (xác định cha, mẹ, con).",
        PROVINCE_FEES,
        ONE_STOP_DECREE,
    ),
    requirements=(
        "Ủy ban nhân dân xã nơi cư trú của người nhận hoặc người được nhận là cha, mẹ, con thực hiện đăng ký.",
        "Việc nhận cha, mẹ, con là đúng và không có tranh chấp; các bên cùng có mặt khi đăng ký.",
    ),
    dossier=(
        ("Tờ khai đăng ký nhận cha, mẹ, con (BM-01-QT-14)", "01", ""),
        (
            "Văn bản chứng minh quan hệ cha, mẹ, con của cơ quan y tế, cơ quan giám định hoặc cơ quan có thẩm quyền; "
            "nếu không có: văn bản cam đoan có ít nhất hai người làm chứng",
            "01",
            "",
        ),
        ("Giấy tờ tùy thân hoặc thông tin định danh điện tử của các bên (xuất trình)", "", ""),
    ),
    copies="01 bộ.",
    time_limit="03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ; trường hợp cần xác minh, thời hạn được kéo dài "
    "thêm không quá 05 ngày làm việc.",
    place=PLACE_IN_PERSON,
    fee=PROVINCE_FEE,
    result="Trích lục đăng ký nhận cha, mẹ, con (bản chính); bản sao trích lục nếu có yêu cầu.",
    steps=(
        (RECEIVER, RECEIVE_STEP, "2 giờ", RECEIVE),
        (
            CIVIL_STATUS,
            "Thẩm định, xác minh việc nhận cha, mẹ, con là đúng và không có tranh chấp; báo cáo Chủ tịch UBND xã; "
            "ghi Sổ đăng ký nhận cha, mẹ, con; dự thảo Trích lục; trình ký",
            "1,5 ngày làm việc",
            "Dự thảo Trích lục",
        ),
        (LEADER, "Xem xét, ký Trích lục đăng ký nhận cha, mẹ, con", "4 giờ", "Trích lục đã ký"),
        (CLERK, SEAL, "2 giờ", "Trích lục"),
        (
            RECEIVER,
            "Thu lệ phí; trả kết quả; các bên ký Sổ đăng ký nhận cha, mẹ, con; cập nhật Hệ thống",
            "2 giờ",
            "BM-06-QT-06",
        ),
    ),
    total_time="không quá 22 giờ làm việc, trong thời hạn 03 ngày làm việc.",
    records=_civil_status_records("đăng ký nhận cha, mẹ, con", "Sổ đăng ký nhận cha, mẹ, con"),
)

GUARDIANSHIP = AdministrativeProcedure(
    national_code="1.004837",
    name="ĐĂNG KÝ GIÁM HỘ",
    purpose="Quy định trình tự, trách nhiệm và thời gian giải quyết thủ tục đăng ký giám hộ (giám hộ cử và giám hộ "
    "đương nhiên) giữa công dân Việt Nam cư trú ở trong nước tại Ủy ban nhân dân xã.",
    legal_bases=(CIVIL_STATUS_LAW, CIVIL_CODE, CIVIL_STATUS_DECREE, CIVIL_STATUS_CIRCULAR, ONE_STOP_DECREE),
    requirements=(
        "Ủy ban nhân dân xã nơi cư trú của người được giám hộ hoặc người giám hộ thực hiện đăng ký.",
        "Người giám hộ có đủ điều kiện theo Bộ luật Dân sự; người cử giám hộ và người được cử làm giám hộ cùng "
        "có mặt khi đăng ký giám hộ cử.",
    ),
    dossier=(
        ("Tờ khai đăng ký giám hộ (BM-01-QT-15)", "01", ""),
        (
            "Văn bản cử người giám hộ; giám hộ đương nhiên: giấy tờ chứng minh điều kiện làm người giám hộ đương nhiên",
            "01",
            "",
        ),
        ("Giấy tờ tùy thân hoặc thông tin định danh điện tử của các bên (xuất trình)", "", ""),
    ),
    copies="01 bộ.",
    time_limit="03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    place=PLACE_IN_PERSON,
    fee="Miễn lệ phí đối với đăng ký giám hộ của công dân Việt Nam cư trú ở trong nước (Luật Hộ tịch, điều 11).",
    result="Trích lục đăng ký giám hộ (bản chính).",
    steps=(
        (RECEIVER, RECEIVE_STEP, "2 giờ", RECEIVE),
        (
            CIVIL_STATUS,
            "Thẩm định điều kiện giám hộ theo Bộ luật Dân sự; ghi Sổ đăng ký giám hộ; dự thảo Trích lục; trình ký",
            "1,5 ngày làm việc",
            "Dự thảo Trích lục",
        ),
        (LEADER, "Xem xét, ký Trích lục đăng ký giám hộ", "4 giờ", "Trích lục đã ký"),
        (CLERK, SEAL, "2 giờ", "Trích lục"),
        (RECEIVER, "Trả kết quả; người yêu cầu ký Sổ đăng ký giám hộ; cập nhật Hệ thống", "2 giờ", "BM-06-QT-06"),
    ),
    total_time="không quá 22 giờ làm việc, trong thời hạn 03 ngày làm việc.",
    records=_civil_status_records("đăng ký giám hộ", "Sổ đăng ký giám hộ"),
)

CORRECTION = AdministrativeProcedure(
    national_code="1.004859",
    name="THAY ĐỔI, CẢI CHÍNH, BỔ SUNG\nTHÔNG TIN HỘ TỊCH, XÁC ĐỊNH LẠI DÂN TỘC",
    purpose="Quy định trình tự, trách nhiệm và thời gian giải quyết việc thay đổi, cải chính, bổ sung thông tin hộ "
    "tịch, xác định lại dân tộc của công dân Việt Nam cư trú ở trong nước tại Ủy ban nhân dân xã.",
    legal_bases=(
        CIVIL_STATUS_LAW,
        CIVIL_STATUS_DECREE,
        CIVIL_STATUS_CIRCULAR,
        JUSTICE_DECENTRALISATION,
        PROVINCE_FEES,
        ONE_STOP_DECREE,
    ),
    requirements=(
        "Việc thay đổi, cải chính hộ tịch có căn cứ và phù hợp quy định của pháp luật dân sự; thay đổi họ, chữ "
        "đệm, tên của người từ đủ 09 tuổi trở lên phải có sự đồng ý của người đó.",
        "Thông tin hộ tịch cần sửa đã được đăng ký tại Ủy ban nhân dân cấp xã hoặc cấp huyện trước đây.",
    ),
    dossier=(
        (
            "Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc (BM-01-QT-16)",
            "01",
            "",
        ),
        ("Giấy tờ làm căn cứ cho việc thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc", "", "01"),
        ID_PAPERS,
    ),
    copies="01 bộ.",
    time_limit="03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ; trường hợp cần xác minh, kéo dài thêm không quá 03 "
    "ngày làm việc; bổ sung thông tin hộ tịch: ngay trong ngày (hồ sơ nhận sau 15 giờ trả trong ngày làm việc tiếp "
    "theo).",
    place=PLACE,
    fee=PROVINCE_FEE,
    result="Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc; nội dung được ghi vào "
    "Sổ hộ tịch và Giấy khai sinh.",
    steps=(
        (RECEIVER, RECEIVE_STEP, "2 giờ", RECEIVE),
        (
            CIVIL_STATUS,
            "Thẩm định căn cứ; ghi nội dung thay đổi, cải chính, bổ sung vào Sổ hộ tịch và Giấy khai sinh; dự thảo "
            "Trích lục; trình ký",
            "1,5 ngày làm việc",
            "Dự thảo Trích lục",
        ),
        (LEADER, "Xem xét, ký Trích lục", "4 giờ", "Trích lục đã ký"),
        (CLERK, SEAL, "2 giờ", "Trích lục"),
        (RECEIVER, "Thu lệ phí; trả kết quả; người yêu cầu ký Sổ hộ tịch; cập nhật Hệ thống", "2 giờ", "BM-06-QT-06"),
    ),
    total_time="không quá 22 giờ làm việc, trong thời hạn 03 ngày làm việc.",
    records=_civil_status_records(
        "thay đổi, cải chính, bổ sung thông tin hộ tịch", "Sổ đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch"
    ),
)

CONTRACT = AdministrativeProcedure(
    national_code="2.001035",
    name="CHỨNG THỰC HỢP ĐỒNG, GIAO DỊCH\nVỀ ĐỘNG SẢN, QUYỀN SỬ DỤNG ĐẤT, NHÀ Ở",
    purpose="Quy định trình tự, trách nhiệm và thời gian chứng thực hợp đồng, giao dịch liên quan đến tài sản là động "
    "sản, quyền sử dụng đất, nhà ở tại Ủy ban nhân dân xã.",
    legal_bases=(
        CERTIFICATION_DECREE,
        CERTIFICATION_CIRCULAR,
        CERTIFICATION_FEES,
        CIVIL_CODE,
        "Luật Đất đai số 31/2024/QH15 ngày 18/01/2024 (hợp đồng, văn bản thực hiện quyền của người sử dụng đất).",
        ONE_STOP_DECREE,
    ),
    requirements=(
        "Các bên có năng lực hành vi dân sự, tự nguyện giao kết; ký trước mặt người thực hiện chứng thực.",
        "Tài sản có giấy tờ chứng minh quyền sở hữu, quyền sử dụng; nội dung hợp đồng không trái pháp luật, "
        "đạo đức xã hội.",
    ),
    dossier=(
        ("Dự thảo hợp đồng, giao dịch", "01", ""),
        ("Giấy tờ tùy thân của người yêu cầu chứng thực (xuất trình bản chính để đối chiếu)", "", "01"),
        (
            "Giấy chứng nhận quyền sở hữu, quyền sử dụng hoặc giấy tờ thay thế theo quy định (xuất trình bản chính)",
            "",
            "01",
        ),
    ),
    copies="01 bộ.",
    time_limit="Không quá 02 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ, hoặc dài hơn theo thỏa thuận bằng văn bản "
    "với người yêu cầu chứng thực.",
    place=PLACE_IN_PERSON,
    fee="50.000 đồng/hợp đồng, giao dịch; chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch: 30.000 "
    "đồng/hợp đồng, giao dịch.",
    result="Hợp đồng, giao dịch được chứng thực.",
    steps=(
        (RECEIVER, RECEIVE_STEP, "2 giờ", RECEIVE),
        (
            CIVIL_STATUS,
            "Kiểm tra giấy tờ, năng lực hành vi dân sự và sự tự nguyện của các bên; các bên ký trước mặt công chức; "
            "ghi lời chứng; trình ký",
            "6 giờ",
            "Hợp đồng có lời chứng",
        ),
        (LEADER, "Ký chứng thực hợp đồng, giao dịch", "4 giờ", "Hợp đồng đã ký chứng thực"),
        (CLERK, "Đóng dấu, đóng dấu giáp lai; ghi Sổ chứng thực hợp đồng, giao dịch", "2 giờ", "BM-01-QT-17"),
        (RECEIVER, "Thu phí, giao biên lai; " + SATISFACTION[0].lower() + SATISFACTION[1:], "2 giờ", "BM-06-QT-06"),
    ),
    total_time="không quá 16 giờ làm việc (02 ngày làm việc).",
    records=(
        ("Hợp đồng, giao dịch đã chứng thực (01 bản lưu) và hồ sơ kèm theo", CIVIL_STATUS, "Vĩnh viễn"),
        ("Sổ chứng thực hợp đồng, giao dịch", CLERK, "Vĩnh viễn"),
        ("Biên lai thu phí", "Công chức Tài chính - Kế toán", "Theo quy định kế toán"),
    ),
)

SOCIAL_ALLOWANCE = AdministrativeProcedure(
    national_code="1.001776",
    name="THỰC HIỆN, ĐIỀU CHỈNH, THÔI HƯỞNG\nTRỢ CẤP XÃ HỘI HẰNG THÁNG",
    purpose="Quy định trình tự, trách nhiệm và thời gian xét hưởng, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, "
    "hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng đối với đối tượng bảo trợ xã hội tại Ủy ban nhân dân xã.",
    legal_bases=(
        "Nghị định số 20/2021/NĐ-CP ngày 15/3/2021 của Chính phủ quy định chính sách trợ giúp xã hội đối với đối "
        "tượng bảo trợ xã hội.",
        "Nghị định số 76/2024/NĐ-CP ngày 01/7/2024 của Chính phủ sửa đổi, bổ sung một số điều của Nghị định số "
        "20/2021/NĐ-CP.",
        "Quyết định của Chủ tịch UBND tỉnh công bố thủ tục hành chính lĩnh vực bảo trợ xã hội thuộc thẩm quyền "
        "giải quyết của UBND cấp xã.",
        ONE_STOP_DECREE,
    ),
    requirements=(
        "Người đề nghị thuộc đối tượng hưởng trợ cấp xã hội hằng tháng theo Nghị định số 20/2021/NĐ-CP (trẻ em "
        "không có nguồn nuôi dưỡng, người cao tuổi, người khuyết tật nặng và đặc biệt nặng, người đơn thân nghèo "
        "đang nuôi con...).",
        "Kết quả xét duyệt được niêm yết công khai tại trụ sở UBND xã trong 02 ngày làm việc trước khi quyết định.",
    ),
    dossier=(
        ("Tờ khai đề nghị trợ giúp xã hội (BM-01-QT-18)", "01", ""),
        (
            "Giấy tờ chứng minh thuộc đối tượng (Giấy xác nhận khuyết tật, giấy tờ về hộ nghèo...), nếu thông tin "
            "chưa có trong cơ sở dữ liệu",
            "",
            "01",
        ),
        ("Giấy tờ tùy thân hoặc thông tin định danh điện tử của đối tượng hoặc người khai thay (xuất trình)", "", ""),
    ),
    copies="01 bộ.",
    time_limit="12 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ: xem xét, rà soát 07 ngày; niêm yết công khai 02 "
    "ngày; Chủ tịch UBND xã quyết định 03 ngày.",
    place=PLACE,
    fee="Không thu phí, lệ phí.",
    result="Quyết định trợ cấp xã hội hằng tháng (hoặc điều chỉnh, thôi hưởng) của Chủ tịch UBND xã; trường hợp không "
    "đủ điều kiện: văn bản trả lời nêu rõ lý do.",
    steps=(
        (RECEIVER, RECEIVE_STEP, "4 giờ", RECEIVE),
        (
            CULTURE_SOCIAL,
            "Xem xét, rà soát, xác minh thông tin của đối tượng; dự thảo kết quả xét duyệt",
            "5 ngày làm việc",
            "Dự thảo kết quả xét duyệt",
        ),
        (
            CULTURE_SOCIAL,
            "Niêm yết công khai kết quả xét duyệt tại trụ sở UBND xã; tiếp nhận, xử lý ý kiến phản ánh",
            "2 ngày làm việc",
            "Biên bản niêm yết",
        ),
        (LEADER, "Xem xét, ký Quyết định trợ cấp xã hội hằng tháng", "3 ngày làm việc", "Quyết định đã ký"),
        (CLERK, "Vào số, đóng dấu, phát hành Quyết định", "4 giờ", "Quyết định"),
        (RECEIVER, "Trả kết quả; thông báo thời điểm được hưởng trợ cấp; cập nhật Hệ thống", "4 giờ", "BM-06-QT-06"),
    ),
    total_time="không quá 11 ngày 4 giờ làm việc, trong thời hạn 12 ngày làm việc.",
    records=(
        ("Hồ sơ hưởng trợ cấp xã hội hằng tháng", CULTURE_SOCIAL, "Theo thời gian hưởng và 05 năm sau khi thôi hưởng"),
        ("Danh sách đối tượng hưởng trợ cấp xã hội hằng tháng", CULTURE_SOCIAL, "Vĩnh viễn"),
    ),
)
