"""The demo commune's nonconformities (qms/demo.py tells them with its documents).

Nine NCs, each through the services with the demo password, at office hours on working days in the
weeks before the day the demo is loaded, so that the register shows every source and every status:

- "fee" (staff report), closed with the whole story: a citizen charged the wrong fee for
  certified copies, the refund (correction), 5 Whys and fishbone, two action items (one revises the
  certified-copy register BM-01-QT-09: its change request accepted into a draft issue 02), an
  effective review by the leader, the quality officer's signed closure;
- "old form" (internal audit): the one-stop desk still used the superseded receipt slip; its first
  round's review was not effective, the second round's analysis is accepted (action plan);
- "late" (late dossier, opened by the daily job through open_from_elsewhere): a marriage dossier
  returned late; its actions are in progress, one of them overdue;
- "duplicate" (staff report): the same late dossier reported by hand, cancelled as a duplicate;
- "objectives" (external audit): quality objectives not monitored; items done, review planned;
- "on time" (management review): on-time rate below its objective; 5 Whys under way (analysis);
- "waiting" (citizen feedback or complaint): waiting time at the desk, opened by the quality officer
  from a complaint in the citizens' feedback box; correction in progress (beside it in the box: a
  thank-you closed with a reason, and two items waiting for triage);
- "signboard" (internal audit, observation): corrected, no corrective action needed, closed;
- "printer" (other): reported the day before: new.

The late dossier's record is named by a string ("dossiers <code>") because dossiers are not yet an
area of their own; open_from_elsewhere keeps it as the NC's source record.
"""

import datetime as dt

from qms.auth.models import User
from qms.core.calendar import add_working_days, utcnow
from qms.db import db
from qms.documents import services as documents
from qms.documents.models import ChangeRequest
from qms.nonconformities import services
from qms.nonconformities.models import CauseCategory, Disposition, NcSource, Severity

# A late dossier's code as the province's system gives it (the receiving day in the middle).
DOSSIER_CODE = "000.00.21.H12-{day:%y%m%d}-0042"
MINUTE = dt.timedelta(minutes=1)


def plan_nonconformities(story, feedback=None):
    """Plan the NCs' steps into the demo story (qms.demo.DocumentStory), told with the documents'.
    `feedback`: the citizens' feedback box's services (qms.feedback.services), given by the demo's
    loader (this area does not import that one: it opens its NCs through ours). With them the
    complaint's NC is opened from a feedback item, and other items wait for triage; without them
    the complaint is reported by the staff who took it."""
    NonconformityStory(story, feedback).plan()


def _day(day):
    return f"{day:%d/%m/%Y}"


class NonconformityStory:
    def __init__(self, story, feedback=None):
        self.story, self.feedback = story, feedback
        self.ncs = {}  # key -> Nonconformity, once reported
        self.items = {}  # (key, n) -> NcAction
        self.reviews = {}  # key -> NcReview
        self.letters = {}  # key -> FeedbackItem, once received

    # --- time ---------------------------------------------------------------------------------------

    def day(self, n):
        """The n-th working day before the day the demo is loaded (after it, for n > 0); a date is
        itself."""
        return n if isinstance(n, dt.date) else add_working_days(self.story.today, n)

    def recent(self, n):
        """The n-th working day before the day the demo is loaded, but no earlier than the first one
        of the last 20 days (a long holiday such as Tết squeezes the steps together): the document
        story's work in progress, which a change request is part of, is from the last three weeks."""
        first = self.story.today - dt.timedelta(days=20)
        earliest = add_working_days(first, 1)
        return max(self.day(n), earliest)

    def at(self, n, hour, minutes=0, action=None):
        self.story.then(self.story.at(self.day(n), hour, minutes), action)

    # --- who and what -------------------------------------------------------------------------------

    def user(self, username) -> User:
        return self.story.users[username]

    def nc(self, key):
        return self.ncs[key]

    def report(self, key, reporter, **fields):
        self.ncs[key] = services.report_nc(self.user(reporter), self.story.commune, **fields)

    def whys(self, key, actor, chain):
        for question, answer in chain:
            services.add_why(self.user(actor), self.nc(key), question=question, answer=answer)

    def causes(self, key, actor, causes):
        for category, description, is_root in causes:
            services.add_cause(
                self.user(actor), self.nc(key), category=category, description=description, is_root=is_root
            )

    def accept(self, key, actor, comment=""):
        services.accept_analysis(self.user(actor), self.nc(key), password=self.story.password, comment=comment)

    def item(self, key, n, actor, *, what, owner, due, document=None):
        document = self.story.documents[document] if document else None
        item = services.add_action(
            self.user(actor), self.nc(key), what=what, owner=self.user(owner), due_on=self.day(due), document=document
        )
        self.items[key, n] = item

    def done(self, key, n, result):
        item = self.items[key, n]
        services.complete_action(item.owner, item, result=result)

    def plan_review(self, key, actor, *, on, reviewer):
        self.reviews[key] = services.plan_review(
            self.user(actor), self.nc(key), planned_on=self.day(on), reviewer=self.user(reviewer)
        )

    def review(self, key, result, notes):
        review = self.reviews[key]
        services.record_review(review.reviewer, review, result=result, notes=notes)

    def correction(self, key, actor, *, what, by, due=None, done=False):
        services.record_correction(
            self.user(actor),
            self.nc(key),
            what=what,
            by=self.user(by),
            due_on=self.day(due) if due is not None else None,
            done=done,
        )

    def disposition(self, key, actor, disposition):
        services.record_disposition(self.user(actor), self.nc(key), disposition=disposition)

    def where(self, *, unit=None, procedure=None, document=None):
        return {
            "unit": self.story.units[unit] if unit else None,
            "procedure": self.story.documents[procedure] if procedure else None,
            # the objectives of the year are registered in January: early in a year, not yet
            "document": self.story.documents.get(document),
        }

    # --- the story ----------------------------------------------------------------------------------

    def plan(self):
        self.plan_signboard()
        self.plan_old_form()
        self.plan_objectives()
        self.plan_late_dossier()
        self.plan_fee()
        self.plan_on_time()
        self.plan_waiting()
        self.plan_printer()

    def plan_old_form(self):
        """Internal audit: the superseded receipt slip still in use; round 1 not effective, round 2's
        analysis accepted (action plan)."""
        key = "old form"
        self.at(
            -40,
            15,
            30,
            lambda: self.report(
                key,
                "qo2",
                title="Quầy tiếp nhận còn dùng Giấy tiếp nhận hồ sơ mẫu cũ (BM-01-QT-06 lần ban hành 01)",
                description="Đánh giá nội bộ tại Trung tâm Phục vụ hành chính công: quầy số 2 còn 35 tờ Giấy "
                "tiếp nhận hồ sơ và hẹn trả kết quả in theo mẫu lần ban hành 01 (ghi “Bộ phận Tiếp nhận và Trả "
                "kết quả”), đã hết hiệu lực; 4 hồ sơ tiếp nhận trong tuần được cấp giấy theo mẫu cũ. Chưa đáp ứng "
                "yêu cầu kiểm soát tài liệu lỗi thời (TCVN ISO 9001:2015, điều 7.5.3.2).",
                source=NcSource.internal_audit,
                severity=Severity.minor,
                clause="7.5.3",
                process_step="Bước 1: Tiếp nhận hồ sơ",
                **self.where(unit="TTHCC", procedure="QT-06", document="BM-01-QT-06"),
            ),
        )
        self.at(
            -39,
            8,
            30,
            lambda: self.correction(
                key,
                "qo",
                what="Thu hồi 35 tờ mẫu cũ tại quầy số 2, đóng dấu “HẾT HIỆU LỰC” và lưu; cấp lại Giấy tiếp nhận "
                "theo mẫu lần ban hành 02 cho 4 hồ sơ đã tiếp nhận.",
                by="staff",
                due=-38,
            ),
        )
        self.at(
            -38,
            10,
            action=lambda: self.correction(
                key,
                "qo",
                what="Thu hồi 35 tờ mẫu cũ tại quầy số 2, đóng dấu “HẾT HIỆU LỰC” và lưu; cấp lại Giấy tiếp nhận "
                "theo mẫu lần ban hành 02 cho 4 hồ sơ đã tiếp nhận.",
                by="staff",
                due=-38,
                done=True,
            ),
        )
        self.at(-38, 10, 5, lambda: self.disposition(key, "qo", Disposition.corrected))
        self.at(
            -37,
            9,
            action=lambda: self.whys(
                key,
                "qo",
                [
                    (
                        "Vì sao quầy số 2 còn dùng mẫu cũ?",
                        "Công chức in sẵn một tập Giấy tiếp nhận từ trước khi mẫu lần ban hành 02 có hiệu lực và "
                        "dùng dần.",
                    ),
                    (
                        "Vì sao bản in sẵn không bị thu hồi khi mẫu mới có hiệu lực?",
                        "Khi phân phối lần ban hành 02 chỉ gửi bản điện tử, không yêu cầu thu hồi bản giấy đang "
                        "dùng tại quầy.",
                    ),
                    (
                        "Vì sao không yêu cầu thu hồi bản giấy?",
                        "QT-01 chưa quy định bước thu hồi bản in của biểu mẫu tại nơi sử dụng khi ban hành lần mới.",
                    ),
                ],
            ),
        )
        self.at(
            -37,
            9,
            20,
            lambda: self.causes(
                key,
                "qo",
                [
                    (CauseCategory.method, "QT-01 không có bước thu hồi bản in biểu mẫu cũ tại nơi sử dụng", True),
                    (CauseCategory.people, "Công chức chưa kiểm tra lần ban hành trước khi dùng biểu mẫu", False),
                    (CauseCategory.materials, "Biểu mẫu in sẵn số lượng lớn để dùng dần tại quầy", False),
                ],
            ),
        )
        self.at(-36, 14, action=lambda: self.accept(key, "qo"))
        self.at(
            -35,
            9,
            action=lambda: self.item(
                key,
                1,
                "qo",
                what="Rà soát tất cả các quầy, thu hồi bản in biểu mẫu hết hiệu lực; chỉ in biểu mẫu từ trang "
                "“Biểu mẫu hiện hành” của hệ thống.",
                owner="staff",
                due=-30,
            ),
        )
        self.at(
            -35,
            9,
            10,
            lambda: self.item(
                key,
                2,
                "qo",
                what="Hướng dẫn lại công chức của Trung tâm việc kiểm tra lần ban hành của biểu mẫu trước khi sử dụng.",
                owner="qo2",
                due=-28,
            ),
        )
        self.at(
            -31,
            16,
            action=lambda: self.done(
                key, 1, "Đã rà soát 4 quầy, thu hồi 52 tờ biểu mẫu hết hiệu lực (BM-01 và BM-02-QT-06)."
            ),
        )
        self.at(
            -29,
            15,
            action=lambda: self.done(key, 2, "Đã hướng dẫn 5 công chức của Trung tâm, có danh sách ký nhận kèm theo."),
        )
        self.at(-29, 16, action=lambda: self.plan_review(key, "qo", on=-12, reviewer="leader"))
        self.at(
            -12,
            15,
            action=lambda: self.review(
                key,
                "not_effective",
                f"Kiểm tra đột xuất ngày {_day(self.day(-12))}: máy tính quầy số 2 vẫn lưu tệp mẫu cũ trong thư "
                "mục riêng; 6 Giấy tiếp nhận trong tuần được in từ tệp này. Hành động chưa loại bỏ được nguyên nhân.",
            ),
        )
        self.at(
            -11,
            9,
            action=lambda: self.whys(
                key,
                "qo",
                [
                    (
                        "Vì sao vẫn in được mẫu cũ sau khi đã thu hồi bản giấy?",
                        "Tệp mẫu cũ còn lưu trên máy tính tại quầy; công chức in từ tệp này cho nhanh.",
                    ),
                    (
                        "Vì sao tệp cũ còn trên máy?",
                        "Việc thu hồi chỉ áp dụng cho bản giấy; không ai rà soát bản điện tử lưu tại máy trạm.",
                    ),
                ],
            ),
        )
        self.at(
            -11,
            9,
            15,
            lambda: self.causes(
                key,
                "qo",
                [
                    (CauseCategory.equipment, "Tệp biểu mẫu hết hiệu lực lưu tại máy trạm quầy tiếp nhận", True),
                    (CauseCategory.method, "Chưa quy định biểu mẫu chỉ được tải từ hệ thống khi sử dụng", True),
                ],
            ),
        )
        self.at(-10, 10, action=lambda: self.accept(key, "qo", "Nguyên nhân của vòng 2 đã rõ; lập kế hoạch hành động."))

    def plan_signboard(self):
        """Internal audit, an observation: corrected at once, no corrective action needed, closed."""
        key = "signboard"
        self.at(
            -40,
            15,
            45,
            lambda: self.report(
                key,
                "qo2",
                title="Biển chỉ dẫn tại sảnh còn ghi tên “Bộ phận Tiếp nhận và Trả kết quả”",
                description="Đánh giá nội bộ: biển chỉ dẫn ở sảnh tầng 1 còn ghi tên cũ, không thống nhất với tên "
                "Trung tâm Phục vụ hành chính công; không ảnh hưởng đến việc giải quyết hồ sơ.",
                source=NcSource.internal_audit,
                severity=Severity.observation,
                clause="7.1.4",
                **self.where(unit="TTHCC"),
            ),
        )
        self.at(
            -39,
            14,
            action=lambda: self.correction(
                key, "qo", what="Thay biển chỉ dẫn theo tên Trung tâm Phục vụ hành chính công.", by="admin", done=True
            ),
        )
        self.at(
            -39,
            14,
            10,
            lambda: services.decide_action_needed(
                self.user("qo"),
                self.nc(key),
                needed=False,
                reason="Biển đã được thay; tên đơn vị mới đã cập nhật trong toàn bộ tài liệu từ khi QT-06 lần ban "
                "hành 02 có hiệu lực, không có nguy cơ lặp lại.",
            ),
        )
        self.at(
            -38,
            9,
            action=lambda: services.close_nc(
                self.user("qo"),
                self.nc(key),
                password=self.story.password,
                risks_need_update=False,
                documents_need_update=False,
                comment="Đã khắc phục xong; không cần hành động khắc phục.",
            ),
        )

    def plan_objectives(self):
        """External audit: the quality objectives not monitored; items done, review planned."""
        key = "objectives"
        self.at(
            -50,
            16,
            action=lambda: self.report(
                key,
                "qo",
                title="Mục tiêu chất lượng chưa được theo dõi, đánh giá hằng quý",
                description="Đánh giá giám sát của tổ chức chứng nhận: Mục tiêu chất lượng (MT-01) quy định đánh "
                "giá hằng quý nhưng chưa có báo cáo kết quả quý I và quý II; không có số liệu đo lường mục tiêu "
                "“≥ 98 % số hồ sơ giải quyết đúng hạn hoặc trước hạn”.",
                source=NcSource.external_audit,
                severity=Severity.minor,
                clause="6.2.2",
                **self.where(unit="VP", document="MT-01"),
            ),
        )
        self.at(
            -49,
            9,
            action=lambda: self.correction(
                key,
                "qo",
                what="Tổng hợp kết quả thực hiện mục tiêu chất lượng 6 tháng từ Hệ thống thông tin giải quyết thủ "
                "tục hành chính, báo cáo Chủ tịch UBND xã.",
                by="admin",
                due=-46,
            ),
        )
        self.at(
            -46,
            16,
            action=lambda: self.correction(
                key,
                "qo",
                what="Tổng hợp kết quả thực hiện mục tiêu chất lượng 6 tháng từ Hệ thống thông tin giải quyết thủ "
                "tục hành chính, báo cáo Chủ tịch UBND xã.",
                by="admin",
                due=-46,
                done=True,
            ),
        )
        self.at(
            -45,
            9,
            action=lambda: self.whys(
                key,
                "qo",
                [
                    ("Vì sao chưa có báo cáo quý?", "Chưa phân công người tổng hợp số liệu mục tiêu."),
                    (
                        "Vì sao chưa phân công?",
                        "MT-01 ghi tần suất đánh giá nhưng không ghi người tổng hợp và thời hạn báo cáo.",
                    ),
                ],
            ),
        )
        self.at(
            -45,
            9,
            10,
            lambda: self.causes(
                key,
                "qo",
                [
                    (CauseCategory.method, "MT-01 không quy định người tổng hợp và thời hạn báo cáo kết quả", True),
                    (CauseCategory.measurement, "Số liệu phải lấy thủ công từ Hệ thống, mất nhiều thời gian", False),
                ],
            ),
        )
        self.at(-44, 10, action=lambda: self.accept(key, "qo2"))
        self.at(
            -43,
            9,
            action=lambda: self.item(
                key,
                1,
                "qo",
                what="Lập biểu theo dõi kết quả thực hiện mục tiêu chất lượng hằng quý, lấy số liệu từ Hệ thống.",
                owner="admin",
                due=-33,
            ),
        )
        self.at(
            -43,
            9,
            10,
            lambda: self.item(
                key,
                2,
                "qo",
                what="Đưa báo cáo kết quả mục tiêu chất lượng vào nội dung họp giao ban đầu mỗi quý.",
                owner="qo2",
                due=-25,
            ),
        )
        self.at(-35, 15, action=lambda: self.done(key, 1, "Đã lập biểu theo dõi; báo cáo quý III đã gửi Chủ tịch."))
        self.at(
            -26,
            11,
            action=lambda: self.done(key, 2, "Chương trình họp giao ban quý IV đã có mục báo cáo mục tiêu chất lượng."),
        )
        self.at(-26, 16, action=lambda: self.plan_review(key, "qo", on=15, reviewer="leader"))

    def plan_late_dossier(self):
        """A late marriage dossier, opened by the daily job; reported by hand too (the duplicate is
        cancelled); its actions in progress, one overdue."""
        key, received, promised = "late", self.day(-26), self.day(-21)
        code = DOSSIER_CODE.format(day=received)

        def open_from_dossier():
            self.ncs[key], _created = services.open_from_elsewhere(
                None,
                self.story.commune,
                source=NcSource.late_dossier,
                record=f"dossiers {code}",
                title="Hồ sơ đăng ký kết hôn trả kết quả quá hạn",
                description=f"Hồ sơ {code} (ông Lê Minh Tuấn và bà Vũ Thị Mai) tiếp nhận ngày {_day(received)}, "
                f"hẹn trả ngày {_day(promised)}; đến hết ngày hẹn chưa có kết quả và chưa lập Phiếu xin lỗi và "
                "hẹn lại ngày trả kết quả (BM-04-QT-06).",
                severity=Severity.major,
                detected_by=self.user("staff"),
                clause="8.5.1",
                process_step="Bước 3: Thẩm định, xử lý hồ sơ",
                dossier_code=code,
                **self.where(unit="VP", procedure="QT-08"),
            )

        self.at(-20, 7, action=open_from_dossier)
        self.at(
            -20,
            9,
            40,
            lambda: self.report(
                "duplicate",
                "staff",
                title="Hồ sơ kết hôn của ông Lê Minh Tuấn chưa có kết quả đúng hẹn",
                description="Công dân đến nhận kết quả theo giấy hẹn nhưng hồ sơ chưa được ký.",
                source=NcSource.staff_report,
                severity=Severity.minor,
                dossier_code=code,
                **self.where(unit="TTHCC"),
            ),
        )
        self.at(-20, 10, 15, lambda: services.assign_handler(self.user("qo"), self.nc(key), self.user("qo2")))
        self.at(
            -20,
            10,
            30,
            lambda: services.cancel_nc(
                self.user("qo"),
                self.nc("duplicate"),
                password=self.story.password,
                reason=f"Trùng với {self.nc(key).number}, do hệ thống mở từ hồ sơ trễ hạn cùng mã hồ sơ.",
            ),
        )
        correction = (
            "Trình Chủ tịch UBND xã ký Phiếu xin lỗi và hẹn lại ngày trả kết quả (BM-04-QT-06); gọi điện báo "
            "công dân; trả kết quả trong ngày làm việc tiếp theo."
        )
        self.at(-20, 11, action=lambda: self.correction(key, "qo2", what=correction, by="qo2", due=-19))
        self.at(-19, 15, action=lambda: self.correction(key, "qo2", what=correction, by="qo2", due=-19, done=True))
        self.at(-19, 15, 5, lambda: self.disposition(key, "qo2", Disposition.citizen_informed))
        self.at(
            -18,
            9,
            action=lambda: self.whys(
                key,
                "qo2",
                [
                    (
                        "Vì sao hồ sơ trễ hạn?",
                        "Công chức tư pháp - hộ tịch đi tập huấn 2 ngày, hồ sơ nằm chờ không ai xử lý.",
                    ),
                    ("Vì sao không ai xử lý thay?", "Chưa phân công người thay thế khi công chức hộ tịch vắng mặt."),
                    (
                        "Vì sao không phát hiện trước ngày hẹn?",
                        "Không rà soát hồ sơ sắp đến hạn; Hệ thống chỉ cảnh báo khi hồ sơ đã quá hạn.",
                    ),
                ],
            ),
        )
        self.at(
            -18,
            9,
            20,
            lambda: self.causes(
                key,
                "qo2",
                [
                    (CauseCategory.method, "Không rà soát hồ sơ sắp đến hạn hằng ngày", True),
                    (CauseCategory.people, "Không có người thay thế khi công chức hộ tịch vắng mặt", True),
                    (CauseCategory.equipment, "Hệ thống chỉ cảnh báo khi hồ sơ đã quá hạn", False),
                ],
            ),
        )
        self.at(-17, 10, action=lambda: self.accept(key, "qo"))
        self.at(
            -16,
            9,
            action=lambda: self.item(
                key,
                1,
                "qo2",
                what="Mỗi sáng lập danh sách hồ sơ đến hạn trong 2 ngày làm việc từ Hệ thống, gửi công chức xử lý "
                "và Chủ tịch UBND xã.",
                owner="staff",
                due=-6,
            ),
        )
        self.at(
            -16,
            9,
            10,
            lambda: self.item(
                key,
                2,
                "qo2",
                what="Trình Chủ tịch UBND xã phân công công chức thay thế khi công chức tư pháp - hộ tịch vắng mặt.",
                owner="admin",
                due=-10,
            ),
        )
        self.at(
            -11,
            16,
            action=lambda: self.done(
                key, 2, f"Chủ tịch UBND xã đã ký quyết định phân công người thay thế ngày {_day(self.day(-11))}."
            ),
        )

    def plan_fee(self):
        """The whole story: a wrong fee, refunded; analysed; a form revised; effective; closed."""
        key, on = "fee", self.day(-16)
        self.at(
            -16,
            16,
            45,
            lambda: self.report(
                key,
                "staff",
                title="Thu sai phí chứng thực bản sao từ bản chính",
                description=f"Ngày {_day(on)}, bà Nguyễn Thị Hoa yêu cầu chứng thực 3 bản sao Giấy chứng nhận "
                "quyền sử dụng đất (mỗi bản 4 trang). Quầy thu 24.000 đồng (2.000 đồng/trang cho cả 4 trang) thay "
                "vì 18.000 đồng (2.000 đồng/trang cho trang thứ nhất và thứ hai, 1.000 đồng/trang từ trang thứ "
                "ba), thu thừa 6.000 đồng. Phát hiện khi đối chiếu biên lai cuối ngày.",
                source=NcSource.staff_report,
                severity=Severity.minor,
                clause="8.5.1",
                process_step="Thu phí, trả kết quả",
                **self.where(unit="TTHCC", procedure="QT-09", document="BM-01-QT-09"),
            ),
        )
        refund = (
            "Liên hệ bà Nguyễn Thị Hoa, hoàn trả 6.000 đồng thu thừa và xin lỗi; rà soát Sổ chứng thực bản sao "
            "từ đầu tháng để tìm trường hợp tương tự."
        )
        self.at(-15, 8, 15, lambda: self.correction(key, "qo", what=refund, by="staff", due=-14))
        self.at(
            -14,
            11,
            action=lambda: self.correction(
                key,
                "qo",
                what=refund + " Đã hoàn trả; rà soát thấy thêm 2 trường hợp thu thừa, đã liên hệ hoàn trả.",
                by="staff",
                due=-14,
                done=True,
            ),
        )
        self.at(-14, 11, 5, lambda: self.disposition(key, "qo", Disposition.corrected))
        self.at(
            -13,
            9,
            action=lambda: self.whys(
                key,
                "qo",
                [
                    ("Vì sao thu sai phí?", "Công chức tính 2.000 đồng cho mọi trang của bản sao."),
                    (
                        "Vì sao tính 2.000 đồng cho mọi trang?",
                        "Công chức mới được phân công, tính phí theo trí nhớ, không đối chiếu mức phí.",
                    ),
                    (
                        "Vì sao không đối chiếu được?",
                        "Sổ chứng thực bản sao (BM-01-QT-09) không có cột số trang, chỉ ghi tổng tiền, nên không "
                        "có gì để đối chiếu khi thu phí.",
                    ),
                    (
                        "Vì sao biểu mẫu thiếu cột số trang?",
                        "Khi soạn BM-01-QT-09 chỉ chép theo sổ cũ, chưa đối chiếu với cách tính phí theo trang của "
                        "Thông tư số 226/2016/TT-BTC.",
                    ),
                ],
            ),
        )
        self.at(
            -13,
            9,
            30,
            lambda: self.causes(
                key,
                "qo",
                [
                    (CauseCategory.method, "BM-01-QT-09 không có cột số trang và cách tính phí theo trang", True),
                    (CauseCategory.people, "Công chức mới chưa được hướng dẫn cách tính phí", False),
                    (CauseCategory.materials, "Bảng niêm yết phí tại quầy chỉ ghi “2.000 đồng/trang”", False),
                    (CauseCategory.measurement, "Cuối ngày không đối chiếu số tiền thu với số trang", False),
                ],
            ),
        )
        self.at(
            -12, 14, 30, lambda: self.accept(key, "qo", "Nguyên nhân gốc rễ đã xác định: biểu mẫu thiếu cột số trang.")
        )
        self.at(
            self.recent(-11),
            9,
            action=lambda: self.item(
                key,
                1,
                "qo",
                what="Sửa đổi Sổ chứng thực bản sao từ bản chính (BM-01-QT-09): bổ sung cột “Số trang” và ghi "
                "cách tính phí theo trang.",
                owner="qo2",
                due=self.recent(-6),
                document="BM-01-QT-09",
            ),
        )
        self.at(
            self.recent(-11),
            9,
            10,
            lambda: self.item(
                key,
                2,
                "qo",
                what="Cập nhật bảng niêm yết phí chứng thực tại quầy (trang thứ nhất, thứ hai và từ trang thứ ba) "
                "và hướng dẫn cách tính phí cho công chức tiếp nhận.",
                owner="staff",
                due=self.recent(-8),
            ),
        )
        self.at(self.recent(-10), 9, 30, lambda: self.revise_register(key))
        self.at(
            self.recent(-9),
            16,
            action=lambda: self.done(
                key, 2, "Đã niêm yết bảng phí mới tại quầy số 3; đã hướng dẫn 3 công chức tiếp nhận cách tính phí."
            ),
        )
        self.at(
            self.recent(-8),
            15,
            action=lambda: self.done(
                key,
                1,
                "Đã lập dự thảo BM-01-QT-09 lần ban hành 02 (bổ sung cột “Số trang”); trong khi chờ ban hành, số "
                "trang được ghi vào cột “Ghi chú” của sổ hiện hành.",
            ),
        )
        self.at(self.recent(-8), 15, 30, lambda: self.plan_review(key, "qo", on=self.recent(-3), reviewer="leader"))
        self.at(
            self.recent(-3),
            10,
            action=lambda: self.review(
                key,
                "effective",
                f"Kiểm tra 46 lượt chứng thực bản sao từ ngày {_day(self.recent(-8))} đến ngày "
                f"{_day(self.recent(-3))}: phí thu đúng theo số trang; không có phản ánh về phí.",
            ),
        )
        self.at(
            self.recent(-2),
            9,
            action=lambda: services.close_nc(
                self.user("qo"),
                self.nc(key),
                password=self.story.password,
                risks_need_update=False,
                documents_need_update=True,
                documents=[self.story.documents["BM-01-QT-09"]],
                comment="Hành động khắc phục có hiệu lực; BM-01-QT-09 lần ban hành 02 đang dự thảo.",
            ),
        )

    def revise_register(self, key):
        """The item that revises BM-01-QT-09: its change request accepted into a draft of issue 02,
        drafted by the item's owner (a quality officer)."""
        item = self.items[key, 1]
        request = db.session.get(ChangeRequest, item.change_request_id)
        draft = documents.accept_change_request(
            item.owner, request, comment=f"Hành động khắc phục của {self.nc(key).number}."
        )
        self.story.redraft(draft, where="Bảng: thêm cột “Số trang”; ghi chú cách tính phí")

    def plan_on_time(self):
        """Management review: the on-time rate below its objective; the 5 Whys under way."""
        key = "on time"
        self.at(
            -15,
            15,
            action=lambda: self.report(
                key,
                "qo",
                title="Tỷ lệ hồ sơ hộ tịch giải quyết đúng hạn quý III không đạt mục tiêu",
                description="Họp xem xét của lãnh đạo: tỷ lệ hồ sơ lĩnh vực hộ tịch giải quyết đúng hạn quý III "
                "đạt 94,2 % (mục tiêu ≥ 98 %); 7 hồ sơ trễ hạn, trong đó 5 hồ sơ đăng ký kết hôn và xác nhận tình "
                "trạng hôn nhân. Chủ tịch UBND xã yêu cầu phân tích nguyên nhân chung.",
                source=NcSource.management_review,
                severity=Severity.minor,
                clause="9.1.3",
                detected_by=self.user("leader"),
                **self.where(unit="VP", document="MT-01"),
            ),
        )
        self.at(
            -15,
            15,
            10,
            lambda: services.decide_action_needed(self.user("qo"), self.nc(key), needed=True),
        )
        self.at(
            -15,
            15,
            15,
            lambda: services.link_similar(
                self.user("qo"), self.nc(key), self.nc("late"), note="Cùng nhóm hồ sơ hộ tịch trễ hạn."
            ),
        )
        self.at(-14, 8, 30, lambda: services.assign_handler(self.user("qo"), self.nc(key), self.user("qo2")))
        self.at(
            -6,
            14,
            action=lambda: self.whys(
                key,
                "qo2",
                [
                    (
                        "Vì sao 7 hồ sơ trễ hạn?",
                        "5 hồ sơ cần xác minh ở nơi cư trú khác; thời gian xác minh vượt thời hạn giải quyết.",
                    ),
                    (
                        "Vì sao thời gian xác minh vượt thời hạn?",
                        "Văn bản đề nghị xác minh gửi qua bưu chính, chưa gửi qua Hệ thống quản lý văn bản và điều "
                        "hành.",
                    ),
                ],
            ),
        )

    def plan_waiting(self):
        """A citizen's complaint about waiting at the desk (from the feedback box when there is one);
        its correction under way."""
        key = "waiting"
        if self.feedback is not None:
            self.plan_letters()
            self.at(
                -3,
                8,
                45,
                lambda: self.ncs.__setitem__(
                    key,
                    self.feedback.open_nc(
                        self.user("qo"),
                        self.letters[key],
                        title="Người dân phản ánh phải chờ lâu tại quầy tiếp nhận hồ sơ hộ tịch",
                        severity=Severity.minor,
                    ),
                ),
            )
            self.at(
                -3,
                8,
                50,
                lambda: services.update_nc(
                    self.user("qo"),
                    self.nc(key),
                    title=self.nc(key).title,
                    description=self.nc(key).description,
                    severity=self.nc(key).severity,
                    clause="8.2.1",
                    **self.where(unit="TTHCC", procedure="QT-07"),
                ),
            )
        else:
            self.at(
                -3,
                8,
                45,
                lambda: self.report(
                    key,
                    "staff",
                    title="Người dân phản ánh phải chờ lâu tại quầy tiếp nhận hồ sơ hộ tịch",
                    description=f"Phản ánh qua đường dây nóng: sáng {_day(self.day(-4))} người dân phải chờ hơn 90 "
                    "phút để nộp hồ sơ đăng ký khai sinh; chỉ một quầy tiếp nhận hồ sơ hộ tịch làm việc, máy lấy số "
                    "thứ tự không hoạt động.",
                    source=NcSource.citizen_feedback,
                    severity=Severity.minor,
                    clause="8.2.1",
                    **self.where(unit="TTHCC", procedure="QT-07"),
                ),
            )
        self.at(-3, 9, 30, lambda: services.assign_handler(self.user("qo"), self.nc(key), self.user("staff")))
        self.at(
            -3,
            10,
            action=lambda: self.correction(
                key,
                "staff",
                what="Bố trí thêm một công chức tiếp nhận hồ sơ hộ tịch vào sáng thứ Hai và thứ Sáu; sửa máy lấy "
                "số thứ tự; trả lời người phản ánh.",
                by="staff",
                due=3,
            ),
        )

    def plan_letters(self):
        """What citizens wrote in the feedback box: a thank-you passed on and closed, the complaint
        the waiting NC is opened from, and two items waiting for the quality officer's triage."""
        letters = (
            (
                "thanks",
                -5,
                (9, 10),
                dict(
                    kind="compliment",
                    message="Cảm ơn công chức Trung tâm Phục vụ hành chính công đã hướng dẫn tận tình, giúp tôi làm "
                    "thủ tục chứng thực trong 15 phút.",
                    name="Lê Thị Hằng",
                ),
            ),
            (
                "waiting",
                -4,
                (11, 20),
                dict(
                    kind="complaint",
                    message="Sáng nay tôi đến nộp hồ sơ đăng ký khai sinh cho con, phải chờ hơn 90 phút. Chỉ có một "
                    "quầy nhận hồ sơ hộ tịch làm việc, máy lấy số thứ tự không hoạt động nên mọi người chen nhau. Đề "
                    "nghị bố trí thêm người vào buổi sáng đầu tuần.",
                    name="Đặng Văn Bình",
                    phone="0912 345 678",
                ),
            ),
            (
                "seats",
                -2,
                (10, 5),
                dict(
                    kind="feedback",
                    message="Đề nghị bố trí thêm ghế ngồi chờ và nước uống tại khu vực chờ của Trung tâm; sáng thứ "
                    "Hai rất đông, nhiều người cao tuổi phải đứng.",
                ),
            ),
            (
                "sms",
                -1,
                (15, 40),
                dict(
                    kind="complaint",
                    message="Tôi nộp hồ sơ chứng thực chữ ký và đăng ký nhận thông báo qua tin nhắn, nhưng đến nay "
                    "chưa nhận được tin nhắn nào, phải gọi điện hỏi mới biết đã có kết quả.",
                    name="Trần Thu Trang",
                    email="thutrang.tran@example.vn",
                    dossier_code=DOSSIER_CODE.format(day=self.day(-3)).replace("0042", "0017"),
                ),
            ),
        )
        for n, (key, day, (hour, minutes), fields) in enumerate(letters):
            self.at(day, hour, minutes, lambda key=key, n=n, fields=fields: self.write_letter(key, n, fields))
        self.at(
            -4,
            8,
            30,
            lambda: self.feedback.close_item(
                self.user("qo"),
                self.letters["thanks"],
                reason="Đã chuyển lời cảm ơn đến công chức của Trung tâm; không có nội dung cần xử lý.",
            ),
        )

    def write_letter(self, key, n, fields):
        """A citizen sends the public form a few minutes after opening it (the box's guards pass)."""
        opened = self.feedback.form_stamp(utcnow() - 4 * MINUTE)
        self.letters[key] = self.feedback.receive_feedback(
            self.story.commune, client_address=f"113.160.12.{30 + n}", form_stamp_value=opened, **fields
        )

    def plan_printer(self):
        """Reported the day before the demo was loaded: new."""
        self.at(
            -1,
            14,
            30,
            lambda: self.report(
                "printer",
                "staff",
                title="Máy in tại quầy số 1 in mờ mã hồ sơ trên Giấy tiếp nhận",
                description="Từ sáng nay máy in quầy số 1 in mờ mã hồ sơ và mã QR; người dân không tra cứu được "
                "hồ sơ bằng mã trên giấy. Tạm thời in tại quầy số 2.",
                source=NcSource.other,
                severity=Severity.minor,
                clause="7.1.3",
                **self.where(unit="TTHCC", document="BM-01-QT-06"),
            ),
        )
