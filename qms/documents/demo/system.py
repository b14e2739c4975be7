"""The quality policy, the quality objectives and the system procedures of the demo commune
(TCVN ISO 9001:2015 clauses 5.2, 6.1, 6.2, 7.5, 9.2, 9.3, 10.2; the framework model of
Decision 101/QĐ-BKHCN for communes)."""

from __future__ import annotations

import datetime as dt

from qms.documents.demo.parts import H1, H2, Control, Grid, L, P, qms_document

ONE_STOP = "Trung tâm Phục vụ hành chính công"

# Columns of a step table: step, who, what, time, forms and results (mm, 165 in all).
STEP_WIDTHS = (12, 30, 66, 22, 35)
STEP_HEADINGS = ("Bước", "Trách nhiệm", "Nội dung công việc", "Thời gian", "Biểu mẫu / Kết quả")
RECORD_WIDTHS = (11, 70, 52, 32)
RECORD_HEADINGS = ("TT", "Tên hồ sơ", "Trách nhiệm lưu", "Thời gian lưu")


def steps(*rows):
    """A step table: rows of (who, what, time, forms), numbered B1, B2, ..."""
    return Grid(
        STEP_HEADINGS,
        STEP_WIDTHS,
        tuple((f"B{i}", *row) for i, row in enumerate(rows, start=1)),
        centered=frozenset({0, 3}),
    )


def records(*rows):
    return Grid(
        RECORD_HEADINGS,
        RECORD_WIDTHS,
        tuple((str(i), *row) for i, row in enumerate(rows, start=1)),
        centered=frozenset({0, 3}),
    )


def common_terms(*extra):
    return L(
        "HTQLCL: Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015.",
        "UBND: Ủy ban nhân dân; HĐND: Hội đồng nhân dân.",
        "TTHC: Thủ tục hành chính; CBCC: Cán bộ, công chức.",
        f"Trung tâm PVHCC: {ONE_STOP} xã.",
        "Thư ký ISO: Công chức được Chủ tịch UBND xã giao theo dõi, duy trì HTQLCL.",
        *extra,
    )


# --- CS-01 --------------------------------------------------------------------------------------


def quality_policy(control: Control) -> bytes:
    blocks = [
        H1("CHÍNH SÁCH CHẤT LƯỢNG"),
        P(
            "Ủy ban nhân dân xã Hòa Bình xây dựng, áp dụng, duy trì và cải tiến thường xuyên hệ thống quản lý "
            "chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 trong hoạt động tiếp nhận, giải quyết và trả "
            "kết quả thủ tục hành chính cho tổ chức, công dân, với phương châm:"
        ),
        P("“CÔNG KHAI – MINH BẠCH – ĐÚNG HẸN – TẬN TÌNH PHỤC VỤ NHÂN DÂN”", bold=True, center=True),
        P("Để thực hiện chính sách chất lượng, Lãnh đạo Ủy ban nhân dân xã cam kết:"),
        L(
            "Công khai đầy đủ, kịp thời các thủ tục hành chính, thành phần hồ sơ, thời hạn giải quyết, phí và lệ "
            "phí tại Trung tâm Phục vụ hành chính công xã, trên Cổng thông tin điện tử của xã và trên Cổng Dịch vụ "
            "công quốc gia.",
            "Giải quyết hồ sơ đúng quy định của pháp luật, đúng hoặc trước hạn; hồ sơ có nguy cơ quá hạn được "
            "thông báo và xin lỗi tổ chức, công dân bằng văn bản trước thời hạn, hẹn lại ngày trả kết quả một lần.",
            "Lắng nghe ý kiến của tổ chức, công dân; tiếp nhận và trả lời kịp thời mọi phản ánh, kiến nghị qua "
            "hòm thư góp ý, đường dây nóng và Cổng Dịch vụ công quốc gia.",
            "Đẩy mạnh dịch vụ công trực tuyến toàn trình và một phần, thanh toán trực tuyến, số hóa hồ sơ và kết "
            "quả giải quyết thủ tục hành chính; bảo vệ dữ liệu cá nhân của người dân theo quy định.",
            "Bố trí đủ nguồn lực; đào tạo, bồi dưỡng đội ngũ cán bộ, công chức có phẩm chất, năng lực, văn hóa "
            "ứng xử chuẩn mực, tận tụy phục vụ nhân dân.",
            "Đáp ứng các yêu cầu của pháp luật và của hệ thống quản lý chất lượng; nhận diện rủi ro, nắm bắt cơ "
            "hội và không ngừng cải tiến.",
        ),
        P(
            "Chính sách chất lượng được phổ biến đến toàn thể cán bộ, công chức của Ủy ban nhân dân xã, được niêm "
            "yết tại Trung tâm Phục vụ hành chính công và được xem xét hằng năm trong cuộc họp xem xét của lãnh "
            "đạo để bảo đảm luôn phù hợp với định hướng và điều kiện thực tế của xã."
        ),
        H1("CĂN CỨ XÂY DỰNG"),
        L(
            "Tiêu chuẩn quốc gia TCVN ISO 9001:2015, điều 5.2 (Chính sách).",
            "Mô hình khung hệ thống quản lý chất lượng cho cơ quan hành chính nhà nước ở địa phương do Bộ Khoa học "
            "và Công nghệ công bố (Quyết định số 101/QĐ-BKHCN năm 2019).",
            "Kế hoạch cải cách hành chính hằng năm của Ủy ban nhân dân xã.",
        ),
    ]
    return qms_document(control, ("CHÍNH SÁCH CHẤT LƯỢNG",), blocks)


# --- MT-01 --------------------------------------------------------------------------------------


def objectives_year_of(day: dt.date) -> int:
    """The year objectives issued on `day` are for: issued in December, they are next year's."""
    return day.year + 1 if day.month == 12 else day.year


def objectives_year(control: Control) -> int:
    return objectives_year_of(control.issued_on or dt.date.today())


def quality_objectives(control: Control) -> bytes:
    year = objectives_year(control)
    end = f"31/12/{year}"
    rows = (
        (
            "Giải quyết hồ sơ thủ tục hành chính đúng hạn hoặc trước hạn",
            "≥ 98 % số hồ sơ đã giải quyết; 100 % hồ sơ quá hạn có Phiếu xin lỗi gửi trước hạn",
            "Giám đốc Trung tâm PVHCC; công chức chuyên môn",
            f"Hằng tháng; cả năm đến {end}",
            "Thống kê từ Sổ theo dõi hồ sơ và Hệ thống thông tin giải quyết TTHC của tỉnh; báo cáo ngày 25 hằng tháng",
        ),
        (
            "Tăng tỷ lệ hồ sơ nộp trực tuyến",
            "≥ 30 % số hồ sơ của các TTHC có dịch vụ công trực tuyến",
            "Trung tâm PVHCC; Văn phòng HĐND và UBND",
            end,
            "Số hồ sơ nộp trực tuyến / tổng số hồ sơ tiếp nhận, trích từ Hệ thống thông tin giải quyết TTHC; hằng quý",
        ),
        (
            "Nâng cao mức độ hài lòng của tổ chức, công dân",
            "≥ 95 % lượt đánh giá từ “hài lòng” trở lên",
            "Chủ tịch UBND xã; Trung tâm PVHCC",
            f"Hằng quý đến {end}",
            "Kết quả đánh giá trên Hệ thống và Phiếu khảo sát ý kiến (mẫu SIPAS); tổng hợp hằng quý",
        ),
        (
            "Số hóa hồ sơ, kết quả giải quyết TTHC",
            "100 % kết quả giải quyết TTHC được số hóa; ≥ 80 % hồ sơ tiếp nhận trực tiếp được số hóa",
            "Công chức tiếp nhận; công chức chuyên môn",
            end,
            "Thống kê trên Hệ thống thông tin giải quyết TTHC; hằng quý",
        ),
        (
            "Trả lời phản ánh, kiến nghị của tổ chức, công dân",
            "100 % phản ánh, kiến nghị được trả lời trong 10 ngày làm việc",
            "Văn phòng HĐND và UBND",
            "Khi phát sinh",
            "Sổ theo dõi phản ánh, kiến nghị; báo cáo 6 tháng và năm",
        ),
        (
            "Duy trì hệ thống quản lý chất lượng",
            "Đánh giá nội bộ ≥ 01 lần/năm; xem xét của lãnh đạo ≥ 01 lần/năm; 100 % SKPH được khắc phục đúng hạn",
            "Thư ký ISO",
            f"Trước 15/12/{year}",
            "Báo cáo đánh giá nội bộ (QT-02), biên bản xem xét của lãnh đạo (QT-04)",
        ),
    )
    blocks = [
        H1("1. CĂN CỨ XÂY DỰNG MỤC TIÊU"),
        L(
            "Chính sách chất lượng của Ủy ban nhân dân xã (CS-01).",
            f"Kết quả thực hiện mục tiêu chất lượng năm {year - 1} và kết luận của cuộc họp xem xét của lãnh đạo.",
            f"Kế hoạch cải cách hành chính và Kế hoạch chuyển đổi số năm {year} của Ủy ban nhân dân xã.",
        ),
        H1(f"2. MỤC TIÊU CHẤT LƯỢNG NĂM {year}"),
        Grid(
            ("TT", "Mục tiêu", "Chỉ tiêu", "Người chịu trách nhiệm", "Thời hạn", "Phương pháp đo lường, đánh giá"),
            (9, 30, 33, 29, 22, 42),
            tuple((str(i), *row) for i, row in enumerate(rows, start=1)),
            centered=frozenset({0}),
            size=11,
        ),
        H1("3. THEO DÕI VÀ BÁO CÁO"),
        L(
            "Trung tâm PVHCC tổng hợp số liệu hằng tháng trên Hệ thống thông tin giải quyết TTHC, gửi Thư ký ISO "
            "trước ngày 25 hằng tháng.",
            "Thư ký ISO lập báo cáo kết quả thực hiện mục tiêu hằng quý; mục tiêu không đạt được xử lý như sự không "
            "phù hợp theo QT-03.",
            "Kết quả cả năm là đầu vào của cuộc họp xem xét của lãnh đạo (QT-04).",
        ),
    ]
    return qms_document(control, ("MỤC TIÊU CHẤT LƯỢNG", f"NĂM {year}"), blocks)


# --- QT-01 --------------------------------------------------------------------------------------


def documented_information(control: Control) -> bytes:
    blocks = [
        H1("1. MỤC ĐÍCH"),
        P(
            "Quy định thống nhất cách soạn thảo, xem xét, phê duyệt, ban hành, phân phối, sửa đổi, lưu giữ và thu "
            "hồi thông tin dạng văn bản của hệ thống quản lý chất lượng (tài liệu nội bộ, tài liệu có nguồn gốc bên "
            "ngoài và hồ sơ), bảo đảm nơi sử dụng luôn có bản hiện hành và bản hết hiệu lực không bị dùng nhầm."
        ),
        H1("2. PHẠM VI ÁP DỤNG"),
        P(
            "Áp dụng cho mọi tài liệu, hồ sơ thuộc HTQLCL của Ủy ban nhân dân xã; Văn phòng HĐND và UBND, Phòng "
            "Kinh tế, Phòng Văn hóa - Xã hội và Trung tâm PVHCC thực hiện."
        ),
        H1("3. TÀI LIỆU VIỆN DẪN"),
        L(
            "TCVN ISO 9001:2015, điều 7.5 (Thông tin dạng văn bản).",
            "Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư.",
            "Chính sách chất lượng (CS-01).",
        ),
        H1("4. ĐỊNH NGHĨA VÀ TỪ VIẾT TẮT"),
        common_terms(
            "QT: Quy trình; HD: Hướng dẫn công việc; BM: Biểu mẫu.",
            "Bản kiểm soát: bản tài liệu tải từ hệ thống, có dòng “BẢN KIỂM SOÁT”, mã hiệu, lần ban hành, "
            "ngày hiệu lực, người tải và thời điểm tải.",
            "Tài liệu hết hiệu lực: bản đã được thay thế hoặc thu hồi, được lưu làm hồ sơ và mang dòng “HẾT HIỆU LỰC”.",
        ),
        H1("5. NỘI DUNG"),
        H2("5.1. Mã hiệu tài liệu"),
        Grid(
            ("Loại tài liệu", "Mã hiệu", "Ví dụ"),
            (70, 50, 45),
            (
                ("Chính sách chất lượng / Mục tiêu chất lượng", "CS-xx / MT-xx", "CS-01, MT-01"),
                ("Quy trình", "QT-xx", "QT-07"),
                ("Hướng dẫn công việc", "HD-xx-QT-yy", "HD-01-QT-06"),
                ("Biểu mẫu thuộc quy trình QT-yy", "BM-xx-QT-yy", "BM-01-QT-06"),
            ),
            centered=frozenset({1, 2}),
        ),
        P(
            "Mỗi tài liệu ghi ở đầu trang: tên cơ quan, tên tài liệu, mã hiệu, lần ban hành, ngày ban hành và số "
            "trang; trang đầu có bảng người soạn thảo, xem xét, phê duyệt và bảng theo dõi sửa đổi. Văn bản trình "
            "bày theo Nghị định số 30/2020/NĐ-CP: khổ A4, phông chữ Times New Roman, cỡ chữ 13-14."
        ),
        H2("5.2. Soạn thảo, xem xét, phê duyệt và ban hành"),
        steps(
            (
                "Người có nhu cầu",
                "Đề xuất soạn mới hoặc sửa đổi tài liệu trên hệ thống: nội dung cần thay đổi và lý do",
                "Khi phát sinh",
                "Đề nghị thay đổi",
            ),
            (
                "Thư ký ISO",
                "Xem xét đề nghị; chấp nhận (tạo bản dự thảo từ bản hiện hành) hoặc từ chối, nêu rõ lý do",
                "02 ngày làm việc",
                "Quyết định về đề nghị",
            ),
            (
                "Người được giao soạn thảo",
                "Soạn thảo theo bố cục thống nhất; ghi nội dung sửa đổi vào bảng Theo dõi sửa đổi; gửi xem xét",
                "05 ngày làm việc",
                "Bản dự thảo",
            ),
            (
                "Lãnh đạo UBND xã hoặc Thư ký ISO (không phải người soạn thảo)",
                "Xem xét; ký xem xét điện tử hoặc trả lại kèm ý kiến",
                "03 ngày làm việc",
                "Chữ ký xem xét",
            ),
            (
                "Chủ tịch UBND xã (chính sách, mục tiêu); cán bộ đầu mối ISO (quy trình, hướng dẫn, biểu mẫu)",
                "Phê duyệt bằng chữ ký điện tử, ấn định ngày hiệu lực; người phê duyệt khác người soạn thảo và người "
                "xem xét",
                "02 ngày làm việc",
                "Chữ ký phê duyệt",
            ),
            (
                "Thư ký ISO",
                "Phân phối đến đơn vị, người sử dụng; người nhận xác nhận “đã đọc và hiểu”",
                "01 ngày làm việc",
                "Danh sách xác nhận",
            ),
            (
                "Hệ thống",
                "Khi bản mới có hiệu lực, bản cũ chuyển thành hết hiệu lực, được lưu và không cung cấp "
                "cho người sử dụng",
                "Ngày hiệu lực",
                "Bản hết hiệu lực",
            ),
        ),
        H2("5.3. Tài liệu có nguồn gốc bên ngoài"),
        P(
            "Thư ký ISO cập nhật văn bản quy phạm pháp luật, quyết định công bố thủ tục hành chính và tiêu chuẩn liên "
            "quan vào Danh mục tài liệu có nguồn gốc bên ngoài (số, ký hiệu, cơ quan ban hành, ngày ban hành, ngày "
            "hiệu lực, tình trạng hiệu lực); hằng tháng tra cứu Cơ sở dữ liệu quốc gia về văn bản pháp luật. Khi "
            "căn cứ pháp lý của một thủ tục thay đổi, quy trình và biểu mẫu liên quan phải được sửa đổi trước ngày "
            "văn bản mới có hiệu lực."
        ),
        H2("5.4. Xem xét định kỳ"),
        P(
            "Mỗi tài liệu đang hiệu lực được xem xét ít nhất 12 tháng một lần; người xem xét ký xác nhận “còn phù "
            "hợp” hoặc đề nghị sửa đổi. Danh sách tài liệu đến hạn và quá hạn xem xét được theo dõi trên hệ thống."
        ),
        H2("5.5. Kiểm soát hồ sơ"),
        P(
            "Hồ sơ được lập, lưu giữ đầy đủ, dễ nhận biết và truy cập; thời gian lưu theo từng quy trình. Hồ sơ có "
            "dữ liệu cá nhân chỉ người có trách nhiệm được truy cập; việc truy cập được ghi nhật ký."
        ),
        H1("6. HỒ SƠ"),
        records(
            ("Danh mục tài liệu nội bộ", "Thư ký ISO", "Đến khi có bản thay thế"),
            ("Danh mục tài liệu có nguồn gốc bên ngoài", "Thư ký ISO", "Đến khi có bản thay thế"),
            ("Đề nghị thay đổi tài liệu và quyết định", "Hệ thống", "03 năm"),
            ("Tài liệu hết hiệu lực", "Hệ thống", "05 năm kể từ ngày hết hiệu lực"),
        ),
    ]
    return qms_document(control, ("QUY TRÌNH", "KIỂM SOÁT THÔNG TIN DẠNG VĂN BẢN"), blocks)


# --- QT-02 --------------------------------------------------------------------------------------


def internal_audit(control: Control) -> bytes:
    blocks = [
        H1("1. MỤC ĐÍCH"),
        P(
            "Quy định cách lập chương trình, chuẩn bị, thực hiện và báo cáo đánh giá nội bộ nhằm xác định HTQLCL "
            "có phù hợp với TCVN ISO 9001:2015 và các yêu cầu của Ủy ban nhân dân xã, có được áp dụng và duy trì "
            "hiệu lực hay không."
        ),
        H1("2. PHẠM VI ÁP DỤNG"),
        P(
            "Áp dụng cho mọi quá trình thuộc HTQLCL, gồm các quy trình giải quyết thủ tục hành chính tại Trung tâm "
            "PVHCC và các quy trình hệ thống."
        ),
        H1("3. TÀI LIỆU VIỆN DẪN"),
        L(
            "TCVN ISO 9001:2015, điều 9.2 (Đánh giá nội bộ).",
            "TCVN ISO 19011:2018 Hướng dẫn đánh giá hệ thống quản lý.",
            "Quy trình kiểm soát sự không phù hợp và hành động khắc phục (QT-03).",
        ),
        H1("4. ĐỊNH NGHĨA VÀ TỪ VIẾT TẮT"),
        common_terms(
            "SKPH: Sự không phù hợp (nặng, nhẹ); Khuyến nghị; Cơ hội cải tiến.",
            "Chuyên gia đánh giá: CBCC đã được đào tạo về đánh giá nội bộ, không đánh giá công việc của chính mình.",
        ),
        H1("5. NỘI DUNG"),
        H2("5.1. Chương trình đánh giá"),
        P(
            "Đánh giá nội bộ ít nhất một lần mỗi năm và khi có thay đổi lớn (tổ chức bộ máy, căn cứ pháp lý, nhiều "
            "hồ sơ quá hạn hoặc phản ánh). Quá trình có nhiều hồ sơ, nhiều phản ánh hoặc có SKPH ở lần đánh giá "
            "trước được đánh giá nhiều hơn."
        ),
        H2("5.2. Trình tự thực hiện"),
        steps(
            (
                "Thư ký ISO",
                "Lập chương trình đánh giá năm (phạm vi, tần suất, phương pháp, trách nhiệm); trình "
                "Chủ tịch UBND xã phê duyệt",
                "Tháng 01",
                "Chương trình đánh giá",
            ),
            (
                "Chủ tịch UBND xã",
                "Quyết định thành lập đoàn đánh giá; phê duyệt kế hoạch đánh giá (tiêu chí, phạm vi, lịch)",
                "Trước 10 ngày",
                "Quyết định, kế hoạch đánh giá",
            ),
            (
                "Trưởng đoàn",
                "Phân công; chuẩn bị danh mục câu hỏi, xem trước tài liệu và số liệu hồ sơ quá hạn",
                "05 ngày làm việc",
                "Phiếu ghi chép đánh giá",
            ),
            (
                "Đoàn đánh giá",
                "Họp khai mạc; phỏng vấn, xem hồ sơ, quan sát tại nơi làm việc; ghi nhận bằng chứng khách quan",
                "01-02 ngày",
                "Phiếu ghi chép",
            ),
            (
                "Trưởng đoàn",
                "Họp kết thúc; thống nhất phát hiện; lập báo cáo đánh giá gửi Lãnh đạo",
                "03 ngày làm việc",
                "Báo cáo đánh giá; phiếu SKPH",
            ),
            (
                "Đơn vị được đánh giá",
                "Khắc phục, tìm nguyên nhân và thực hiện hành động khắc phục theo QT-03",
                "Theo thời hạn thống nhất",
                "Phiếu SKPH và hành động khắc phục",
            ),
            (
                "Chuyên gia đánh giá",
                "Kiểm tra, xác nhận hiệu lực của hành động khắc phục; báo cáo Thư ký ISO",
                "Trong 30 ngày",
                "Xác nhận hiệu lực",
            ),
        ),
        H1("6. HỒ SƠ"),
        records(
            ("Chương trình, kế hoạch đánh giá nội bộ", "Thư ký ISO", "03 năm"),
            ("Phiếu ghi chép, báo cáo đánh giá", "Thư ký ISO", "03 năm"),
            ("Phiếu SKPH và hành động khắc phục", "Thư ký ISO", "03 năm"),
        ),
    ]
    return qms_document(control, ("QUY TRÌNH", "ĐÁNH GIÁ NỘI BỘ"), blocks)


# --- QT-03 --------------------------------------------------------------------------------------


def nonconformity(control: Control) -> bytes:
    blocks = [
        H1("1. MỤC ĐÍCH"),
        P(
            "Quy định cách phát hiện, ghi nhận và xử lý sự không phù hợp, kể cả kết quả giải quyết thủ tục hành "
            "chính không phù hợp, và cách tìm nguyên nhân, thực hiện và đánh giá hiệu lực của hành động khắc phục "
            "để sự không phù hợp không lặp lại."
        ),
        H1("2. PHẠM VI ÁP DỤNG"),
        P(
            "Áp dụng cho sự không phù hợp phát hiện qua giải quyết hồ sơ (quá hạn, sai sót kết quả, thiếu thành "
            "phần hồ sơ), phản ánh, kiến nghị của tổ chức, công dân, đánh giá nội bộ, đánh giá bên ngoài, kiểm tra "
            "công vụ và theo dõi mục tiêu chất lượng."
        ),
        H1("3. TÀI LIỆU VIỆN DẪN"),
        L(
            "TCVN ISO 9001:2015, điều 8.7 (Kiểm soát đầu ra không phù hợp) và 10.2 (Sự không phù hợp và hành động "
            "khắc phục).",
            "Thông tư số 01/2018/TT-VPCP: Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu số 04).",
        ),
        H1("4. ĐỊNH NGHĨA VÀ TỪ VIẾT TẮT"),
        common_terms(
            "SKPH: Sự không phù hợp - việc không đáp ứng một yêu cầu.",
            "Khắc phục (tức thời): hành động loại bỏ sự không phù hợp đã phát hiện.",
            "Hành động khắc phục: hành động loại bỏ nguyên nhân gốc rễ để sự không phù hợp không tái diễn.",
        ),
        H1("5. NỘI DUNG"),
        steps(
            (
                "Mọi CBCC",
                "Phát hiện, ghi nhận SKPH trên hệ thống: mô tả, nơi phát hiện, hồ sơ liên quan",
                "Ngay khi phát hiện",
                "Phiếu SKPH",
            ),
            (
                "Người phụ trách công việc; Lãnh đạo UBND xã",
                "Khắc phục tức thời: sửa kết quả, tạm dừng trả, thông "
                "báo tổ chức, công dân; hồ sơ quá hạn: Phiếu xin lỗi do Chủ tịch ký, gửi trước hạn; ghi người quyết "
                "định",
                "01 ngày làm việc",
                "Phiếu xin lỗi; quyết định xử lý",
            ),
            (
                "Đơn vị liên quan, Thư ký ISO",
                "Xác định có cần hành động khắc phục; phân tích nguyên nhân gốc rễ "
                "(5 câu hỏi “tại sao”, biểu đồ xương cá); tìm các trường hợp tương tự",
                "05 ngày làm việc",
                "Phân tích nguyên nhân",
            ),
            (
                "Lãnh đạo UBND xã",
                "Phê duyệt hành động khắc phục, người thực hiện, thời hạn",
                "02 ngày làm việc",
                "Kế hoạch hành động",
            ),
            (
                "Người được giao",
                "Thực hiện hành động khắc phục; báo cáo kết quả",
                "Theo kế hoạch",
                "Bằng chứng thực hiện",
            ),
            (
                "Thư ký ISO",
                "Đánh giá hiệu lực sau 30-90 ngày; chưa hiệu lực thì quay lại B3",
                "30-90 ngày",
                "Xác nhận hiệu lực",
            ),
            (
                "Thư ký ISO",
                "Cập nhật rủi ro, cơ hội (QT-05) và tài liệu của HTQLCL nếu cần",
                "Khi cần",
                "Tài liệu sửa đổi",
            ),
        ),
        H1("6. HỒ SƠ"),
        records(
            ("Phiếu SKPH, kết quả khắc phục và đánh giá hiệu lực", "Thư ký ISO", "03 năm"),
            ("Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Trung tâm PVHCC", "Theo hồ sơ TTHC"),
        ),
    ]
    return qms_document(control, ("QUY TRÌNH", "KIỂM SOÁT SỰ KHÔNG PHÙ HỢP", "VÀ HÀNH ĐỘNG KHẮC PHỤC"), blocks)


# --- QT-04 --------------------------------------------------------------------------------------


def management_review(control: Control) -> bytes:
    blocks = [
        H1("1. MỤC ĐÍCH"),
        P(
            "Quy định việc Lãnh đạo Ủy ban nhân dân xã định kỳ xem xét HTQLCL để bảo đảm hệ thống luôn thích hợp, "
            "thỏa đáng, có hiệu lực và phù hợp với định hướng của xã."
        ),
        H1("2. PHẠM VI ÁP DỤNG"),
        P(
            "Áp dụng cho cuộc họp xem xét của lãnh đạo ít nhất mỗi năm một lần (thường trong tháng 12) và các cuộc "
            "họp bất thường khi có thay đổi lớn."
        ),
        H1("3. TÀI LIỆU VIỆN DẪN"),
        L("TCVN ISO 9001:2015, điều 9.3 (Xem xét của lãnh đạo).", "Mục tiêu chất lượng (MT-01)."),
        H1("4. ĐỊNH NGHĨA VÀ TỪ VIẾT TẮT"),
        common_terms(),
        H1("5. NỘI DUNG"),
        H2("5.1. Đầu vào của cuộc họp"),
        L(
            "Tình trạng thực hiện các quyết định của lần xem xét trước.",
            "Thay đổi của bối cảnh, căn cứ pháp lý, tổ chức bộ máy liên quan đến HTQLCL.",
            "Mức độ hài lòng, phản ánh, kiến nghị của tổ chức, công dân.",
            "Mức độ đạt mục tiêu chất lượng; tỷ lệ hồ sơ đúng hạn, tỷ lệ hồ sơ trực tuyến.",
            "Kết quả thực hiện các quy trình; sự không phù hợp và hành động khắc phục.",
            "Kết quả theo dõi, đo lường; kết quả đánh giá nội bộ và đánh giá bên ngoài.",
            "Kết quả thực hiện của nhà cung cấp bên ngoài (bưu chính công ích, phần mềm).",
            "Sự thỏa đáng của nguồn lực; hiệu lực của các hành động giải quyết rủi ro và cơ hội.",
            "Các cơ hội cải tiến.",
        ),
        H2("5.2. Trình tự thực hiện"),
        steps(
            (
                "Thư ký ISO",
                "Lập kế hoạch họp, dự kiến nội dung, thành phần; trình Chủ tịch UBND xã",
                "Trước 10 ngày",
                "Kế hoạch, giấy mời",
            ),
            ("Các đơn vị", "Chuẩn bị báo cáo theo các đầu vào mục 5.1", "07 ngày làm việc", "Báo cáo đầu vào"),
            (
                "Chủ tịch UBND xã",
                "Chủ trì cuộc họp; thảo luận, kết luận về cơ hội cải tiến, nhu cầu thay đổi HTQLCL và nguồn lực",
                "01 buổi",
                "Kết luận",
            ),
            (
                "Thư ký ISO",
                "Lập biên bản, thông báo kết luận đến các đơn vị",
                "03 ngày làm việc",
                "Biên bản họp, thông báo kết luận",
            ),
            (
                "Thư ký ISO",
                "Theo dõi thực hiện các quyết định; báo cáo ở lần xem xét sau",
                "Theo thời hạn",
                "Báo cáo thực hiện",
            ),
        ),
        H1("6. HỒ SƠ"),
        records(
            ("Kế hoạch, báo cáo đầu vào", "Thư ký ISO", "03 năm"),
            ("Biên bản họp, thông báo kết luận", "Thư ký ISO", "05 năm"),
        ),
    ]
    return qms_document(control, ("QUY TRÌNH", "XEM XÉT CỦA LÃNH ĐẠO"), blocks)


# --- QT-05 --------------------------------------------------------------------------------------


def risks(control: Control) -> bytes:
    blocks = [
        H1("1. MỤC ĐÍCH"),
        P(
            "Quy định cách xác định bối cảnh, nhận diện, đánh giá rủi ro và cơ hội của các quá trình thuộc HTQLCL, "
            "lập và theo dõi hành động giải quyết, kiểm tra hiệu lực của hành động."
        ),
        H1("2. PHẠM VI ÁP DỤNG"),
        P("Áp dụng cho các quy trình hệ thống và các quy trình giải quyết thủ tục hành chính của Ủy ban nhân dân xã."),
        H1("3. TÀI LIỆU VIỆN DẪN"),
        L("TCVN ISO 9001:2015, điều 4.1, 4.2 và 6.1.", "Quy trình xem xét của lãnh đạo (QT-04)."),
        H1("4. ĐỊNH NGHĨA VÀ TỪ VIẾT TẮT"),
        common_terms(
            "Rủi ro: tác động của sự không chắc chắn, có thể làm quá trình không đạt kết quả dự kiến.",
            "Mức rủi ro = Khả năng xảy ra (1-5) × Mức độ ảnh hưởng (1-5).",
        ),
        H1("5. NỘI DUNG"),
        H2("5.1. Trình tự thực hiện"),
        steps(
            (
                "Thư ký ISO, các đơn vị",
                "Xác định bối cảnh bên trong, bên ngoài và nhu cầu của các bên quan tâm",
                "Tháng 01",
                "Bảng bối cảnh",
            ),
            (
                "Người phụ trách quy trình",
                "Nhận diện rủi ro, cơ hội của từng quy trình; chấm điểm khả năng xảy ra, mức độ ảnh hưởng",
                "10 ngày làm việc",
                "Sổ đăng ký rủi ro và cơ hội",
            ),
            (
                "Lãnh đạo UBND xã",
                "Phê duyệt hành động đối với rủi ro có mức từ 12 trở lên và cơ hội được chọn",
                "05 ngày làm việc",
                "Kế hoạch hành động",
            ),
            ("Người được giao", "Thực hiện hành động", "Theo kế hoạch", "Bằng chứng thực hiện"),
            (
                "Thư ký ISO",
                "Kiểm tra hiệu lực; cập nhật sổ đăng ký; báo cáo tại cuộc họp xem xét của lãnh đạo",
                "06 tháng/lần",
                "Sổ đăng ký đã cập nhật",
            ),
        ),
        H2("5.2. Một số rủi ro đã nhận diện"),
        Grid(
            ("TT", "Rủi ro", "Quy trình", "Mức", "Hành động"),
            (9, 52, 22, 14, 68),
            (
                (
                    "1",
                    "Hồ sơ nhận sau 15 giờ bị hẹn trả trong ngày, dẫn đến quá hạn",
                    "QT-07, QT-09",
                    "4×3 = 12",
                    "Hệ thống tự tính ngày hẹn theo mốc 15 giờ và lịch làm việc; tập huấn công chức tiếp nhận",
                ),
                (
                    "2",
                    "Lãnh đạo đi công tác, hồ sơ chờ ký quá thời hạn",
                    "QT-06 đến QT-10",
                    "3×4 = 12",
                    "Phân công Phó Chủ tịch ký thay; nhắc hồ sơ sắp đến hạn trên hệ thống",
                ),
                (
                    "3",
                    "Dùng nhầm biểu mẫu hết hiệu lực",
                    "QT-01, QT-06",
                    "2×4 = 8",
                    "Chỉ tải biểu mẫu từ trang “Biểu mẫu hiện hành”; bản tải có dòng BẢN KIỂM SOÁT",
                ),
                (
                    "4",
                    "Lộ lọt dữ liệu cá nhân của người dân",
                    "Mọi quy trình",
                    "2×5 = 10",
                    "Phân quyền truy cập, ghi nhật ký truy cập; không lưu bản sao giấy tờ quá thời hạn",
                ),
            ),
            centered=frozenset({0, 3}),
        ),
        H1("6. HỒ SƠ"),
        records(
            ("Sổ đăng ký rủi ro và cơ hội", "Thư ký ISO", "03 năm"),
            ("Kế hoạch hành động và kết quả kiểm tra hiệu lực", "Thư ký ISO", "03 năm"),
        ),
    ]
    return qms_document(control, ("QUY TRÌNH", "QUẢN LÝ RỦI RO VÀ CƠ HỘI"), blocks)
