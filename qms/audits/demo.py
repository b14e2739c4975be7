"""The demo commune's internal audits (qms/demo.py tells them with its documents, nonconformities and
dossiers), through the audits' services and the nonconformities' with the demo password, at office
hours on working days:

- last year's programme, planned by the quality officer in September and approved by the leader, is
  completed: its two audits of the quality system's own processes (control of documented information
  in early December; leadership, planning and management review a week later) were planned, their
  plans signed by the lead auditor and approved by the leader, conducted with the library's checklist
  of their clauses (every question answered with the evidence seen), reported with the lead
  auditor's signature and closed; each found a minor nonconformity, whose NC the quality officer took
  through correction, analysis, corrective action and an effective review to its signed closure
  before the year ended, and an observation or an opportunity for improvement, decided;
- this year's programme, planned in January with an audit of the nonconformity and monitoring
  processes and approved; revised a few weeks before the day the demo is loaded with an audit of two
  procedures (birth registration, certified copies) and approved again as revision 2. The first audit
  is in progress: started four working days before, most of its checklist answered, a minor
  nonconformity found (its NC opened, new) and an observation waiting for the quality officer's
  decision. The second is planned: its lead auditor has signed the plan, which waits for the leader.

Impartial teams: the auditors are the culture-social officer, the one-stop officer, the
civil-status officer and the administrator, never for a unit they belong to, a process their role
performs or a procedure they handle dossiers of (the auditor account reads only, so audits nobody).

When the day the demo is loaded is among the first working days of January, "this year" is the year
just ended (its audit in progress could not otherwise have started), and "last year" the one before.
"""

import dataclasses
import datetime as dt

from qms.audits import library, services
from qms.core.calendar import add_working_days, next_working_day
from qms.db import db
from qms.nonconformities import services as ncs
from qms.nonconformities.models import CauseCategory, Disposition, Nonconformity
from qms.processes import queries as catalogue

CRITERIA_SYSTEM = "TCVN ISO 9001:2015; Chính sách và mục tiêu chất lượng của UBND xã"


@dataclasses.dataclass(frozen=True)
class Plan:
    key: str
    title: str
    clauses: tuple
    lead: str  # user names of the demo (qms.demo.DEMO_USERS)
    member: str
    criteria: str
    system_processes: tuple = ()
    procedures: tuple = ()  # national codes
    units: tuple = ()  # unit codes


LAST_YEAR = (
    Plan(
        "documents",
        "Đánh giá quá trình kiểm soát thông tin dạng văn bản",
        ("7.5",),
        lead="social",
        member="staff",
        criteria=f"{CRITERIA_SYSTEM}; QT-01 Quy trình kiểm soát thông tin dạng văn bản",
        system_processes=("documents",),
        units=("VP",),
    ),
    Plan(
        "leadership",
        "Đánh giá quá trình lãnh đạo, hoạch định và xem xét của lãnh đạo",
        ("5.1", "6.2", "9.3"),
        lead="qo2",
        member="social",
        criteria=f"{CRITERIA_SYSTEM}; QT-04 Quy trình xem xét của lãnh đạo",
        system_processes=("leadership",),
    ),
)
THIS_YEAR = (
    Plan(
        "follow-up",
        "Đánh giá quá trình kiểm soát sự không phù hợp, theo dõi và đo lường sự hài lòng của người dân",
        ("9.1", "10.2"),
        lead="social",
        member="admin",
        criteria=f"{CRITERIA_SYSTEM}; QT-03 Quy trình kiểm soát sự không phù hợp và hành động khắc phục",
        system_processes=("nonconformities", "monitoring"),
        units=("TTHCC",),
    ),
    Plan(
        "procedures",
        "Đánh giá quy trình đăng ký khai sinh và chứng thực bản sao từ bản chính",
        ("7.5", "8.2", "8.5"),
        lead="admin",
        member="social",
        criteria="TCVN ISO 9001:2015; QT-07 Quy trình đăng ký khai sinh; QT-09 Quy trình chứng thực bản sao "
        "từ bản chính; Luật Hộ tịch 2014; Nghị định số 23/2015/NĐ-CP",
        procedures=("1.001193", "2.000815"),
        units=("TTHCC",),
    ),
)

# What the checklist found, by audit and question: (result, the evidence notes, who answered).
# Every other question of a closed audit is conform, its notes naming the evidence the library
# says to look at.
ANSWERS = {
    "documents": {
        "7.5-06": (
            "minor",
            "Danh mục tài liệu có nguồn gốc bên ngoài chưa cập nhật tình trạng hiệu lực của 2 văn bản: Nghị định "
            "số 61/2018/NĐ-CP (đã được sửa đổi, bổ sung) và Thông tư số 01/2018/TT-VPCP; không có người được giao "
            "rà soát định kỳ (TCVN ISO 9001:2015, điều 7.5.3.2).",
            "staff",
        ),
        "7.5-09": (
            "improvement",
            "Dữ liệu tài liệu điện tử được sao lưu thủ công vào ổ cứng ngoài mỗi tháng một lần; nên sao lưu tự "
            "động hằng ngày và lưu một bản ở nơi khác.",
            "social",
        ),
    },
    "leadership": {
        "9.3-02": (
            "minor",
            "Biên bản họp xem xét của lãnh đạo gần nhất không có đầu vào về mức độ hài lòng của người dân và "
            "kết quả đánh giá nội bộ (TCVN ISO 9001:2015, điều 9.3.2).",
            "qo2",
        ),
        "6.2-04": (
            "observation",
            "Mục tiêu chất lượng đã được phổ biến tại cuộc họp giao ban nhưng chưa được cụ thể hóa cho Bộ phận "
            "tiếp nhận và trả kết quả.",
            "social",
        ),
    },
    "follow-up": {
        "9.1-04": (
            "minor",
            "2 phản ánh qua hộp thư góp ý nhận trong tháng trước chưa được phân loại và trả lời sau hơn 10 ngày "
            "làm việc; sổ tiếp nhận phản ánh không ghi hạn trả lời.",
            "admin",
        ),
        "10.2-03": (
            "observation",
            "Phiếu sự không phù hợp về hồ sơ trả kết quả quá hạn có kế hoạch đánh giá hiệu lực nhưng chưa nêu "
            "tiêu chí để kết luận hành động có hiệu lực.",
            "social",
        ),
    },
}
# The audit in progress: the questions answered so far, in the checklist's order (the rest wait).
ANSWERED_IN_PROGRESS = 8

REPORTS = {
    "documents": (
        "Đoàn đánh giá đã đánh giá quá trình kiểm soát thông tin dạng văn bản tại Văn phòng HĐND và UBND: "
        "phỏng vấn công chức Văn phòng - Thống kê, xem xét danh mục tài liệu nội bộ và bên ngoài, 3 tài liệu "
        "chọn mẫu, sổ phân phối tài liệu và thư mục dùng chung.",
        "Tài liệu nội bộ được soạn thảo, xem xét, phê duyệt đúng thẩm quyền và có đủ thông tin nhận biết; "
        "việc phân phối và xác nhận đã đọc được ghi nhận đầy đủ trên hệ thống.",
        "Quá trình kiểm soát thông tin dạng văn bản được duy trì và cơ bản đáp ứng điều 7.5. Có 1 điểm không "
        "phù hợp nhẹ về cập nhật tình trạng hiệu lực của văn bản bên ngoài và 1 cơ hội cải tiến về sao lưu dữ liệu.",
    ),
    "leadership": (
        "Đoàn đánh giá đã phỏng vấn Chủ tịch UBND xã và xem xét quyết định phân công, mục tiêu chất lượng, kế "
        "hoạch thực hiện mục tiêu và biên bản họp xem xét của lãnh đạo gần nhất.",
        "Lãnh đạo trực tiếp chỉ đạo hệ thống; mục tiêu chất lượng đo lường được và được theo dõi hằng quý.",
        "Quá trình lãnh đạo và hoạch định được duy trì. Có 1 điểm không phù hợp nhẹ về đầu vào của cuộc họp "
        "xem xét của lãnh đạo và 1 khuyến nghị về cụ thể hóa mục tiêu cho từng bộ phận.",
    ),
}
DECISIONS = {
    ("documents", "7.5-09"): ("qo", True, "Giao công chức Văn phòng - Thống kê thiết lập sao lưu tự động trong quý I."),
    ("leadership", "6.2-04"): (
        "leader",
        True,
        "Bổ sung chỉ tiêu cho Bộ phận tiếp nhận và trả kết quả khi ban hành mục tiêu chất lượng năm tới.",
    ),
}
# How last year's NCs were closed: (correction, whys, causes, action item and its owner, its result,
# the review's notes)
CLOSURES = {
    "documents": (
        "Cập nhật ngay tình trạng hiệu lực của 2 văn bản trong danh mục tài liệu có nguồn gốc bên ngoài.",
        [
            (
                "Vì sao danh mục chưa cập nhật tình trạng hiệu lực?",
                "Không ai theo dõi việc sửa đổi, thay thế văn bản sau khi đã đăng ký vào danh mục.",
            ),
            (
                "Vì sao không ai theo dõi?",
                "Quy trình kiểm soát tài liệu chưa giao người rà soát định kỳ văn bản bên ngoài.",
            ),
        ],
        [
            (CauseCategory.method, "Chưa quy định rà soát định kỳ tình trạng hiệu lực của văn bản bên ngoài", True),
            (CauseCategory.people, "Công chức mới chưa được hướng dẫn tra cứu tình trạng hiệu lực", False),
        ],
        (
            "Giao công chức Tư pháp - Hộ tịch rà soát tình trạng hiệu lực của văn bản bên ngoài mỗi tháng và ghi "
            "kết quả vào danh mục.",
            "qo2",
        ),
        "Đã rà soát toàn bộ văn bản có nguồn gốc bên ngoài; lập lịch rà soát vào ngày làm việc đầu tiên của mỗi tháng.",
        "Kiểm tra danh mục tài liệu có nguồn gốc bên ngoài: tình trạng hiệu lực của các văn bản khớp với Cơ sở "
        "dữ liệu quốc gia về pháp luật; đã có biên bản rà soát tháng này.",
    ),
    "leadership": (
        "Bổ sung báo cáo mức độ hài lòng của người dân và kết quả đánh giá nội bộ vào hồ sơ họp xem xét của lãnh đạo.",
        [
            (
                "Vì sao biên bản thiếu đầu vào?",
                "Báo cáo đầu vào được chuẩn bị theo mẫu cũ, chưa có mục sự hài lòng và đánh giá nội bộ.",
            ),
            (
                "Vì sao dùng mẫu cũ?",
                "Chưa có danh mục đầu vào bắt buộc kèm theo thông báo mời họp xem xét của lãnh đạo.",
            ),
        ],
        [
            (CauseCategory.method, "Chưa có danh mục đầu vào bắt buộc của cuộc họp xem xét của lãnh đạo", True),
            (CauseCategory.materials, "Mẫu báo cáo đầu vào chưa cập nhật theo điều 9.3.2", False),
        ],
        ("Lập danh mục đầu vào bắt buộc gửi kèm thông báo mời họp xem xét của lãnh đạo.", "qo2"),
        "Đã lập danh mục 7 đầu vào theo điều 9.3.2 và đưa vào thông báo mời họp.",
        "Kiểm tra hồ sơ họp xem xét bổ sung: có đủ 7 đầu vào theo danh mục, có báo cáo mức độ hài lòng và kết "
        "quả đánh giá nội bộ.",
    ),
}


def _questions(plan) -> list:
    """The keys of the questions an audit's checklist takes from the shipped library (every question of
    its clauses), in the checklist's order."""
    return [question.key for question in library.questions_for(plan.clauses)]


def plan_audits(story):
    """Plan the audits' steps into the demo story (qms.demo.DocumentStory), told with the others'."""
    AuditStory(story).plan()


class AuditStory:
    def __init__(self, story):
        self.story = story
        today = story.today
        # the audit in progress starts four working days before the demo is loaded, in "this year"
        self.year = today.year if add_working_days(today, -4).year == today.year else today.year - 1
        self.audits = {}  # plan key -> Audit, once planned
        self.ncs = {}  # plan key -> its minor finding's NC
        self.items = {}  # plan key -> its NC's action item
        self.reviews = {}  # plan key -> its NC's effectiveness review

    # --- time and people -------------------------------------------------------------------------------

    def day(self, n, base=None):
        """The n-th working day after `base` (its first working day when n is 0; before it for a negative
        n); `base` is the day the demo is loaded unless given."""
        return add_working_days(next_working_day(base) if base is not None else self.story.today, n)

    def at(self, day, hour, minutes, action, *args, **kwargs):
        self.story.then(self.story.at(day, hour, minutes), action, *args, **kwargs)

    def user(self, username):
        return self.story.users[username]

    # --- the story ---------------------------------------------------------------------------------------

    def plan(self):
        last = self.year - 1
        starts = {plan.key: self.day(0, dt.date(last, 12, day)) for plan, day in zip(LAST_YEAR, (1, 8))}
        dates = {key: (start, self.day(1, start)) for key, start in starts.items()}
        self.plan_programme(last, LAST_YEAR, self.day(0, dt.date(last, 9, 14)), dates)
        for plan in LAST_YEAR:
            self.plan_closed_audit(plan, starts[plan.key])

        in_progress, planned = THIS_YEAR
        dates = {
            in_progress.key: (self.day(-4), self._in_year(self.day(1))),
            planned.key: (self._in_year(self.day(10)), self._in_year(self.day(11))),
        }
        created = min(self.day(0, dt.date(self.year, 1, 8)), self.day(-16))
        self.plan_programme(self.year, (in_progress,), created, dates)
        # a few weeks before the day the demo is loaded, the procedures' audit: revision 2, approved again
        self.at(self.day(-12), 9, 0, self.add, self.year, planned, *dates[planned.key])
        self.at(self.day(-11), 14, 0, self.approve_programme, self.year)
        self.plan_audit_in_progress(in_progress)
        self.at(self.day(-2), 15, 0, self.sign_plan, planned.key)

    def _in_year(self, day):
        return min(day, dt.date(self.year, 12, 31))

    def plan_programme(self, year, plans, created, dates):
        """The quality officer plans `year`'s programme with `plans` on `created`, each at its planned
        dates ({plan key: (start, end)}); the leader approves it two working days later."""
        for n, plan in enumerate(plans):
            self.at(created, 9, 10 * n, self.add, year, plan, *dates[plan.key])
        self.at(self.day(2, created), 14, 0, self.approve_programme, year)

    def plan_closed_audit(self, plan, start):
        """Plan signed and approved the week before, conducted over two days (every question answered),
        reported, its finding decided, closed; its minor NC taken to closure in the weeks after."""
        key = plan.key
        self.at(self.day(-7, start), 10, 0, self.sign_plan, key)
        self.at(self.day(-6, start), 9, 30, self.approve_plan, key)
        self.at(start, 8, 0, self.start, key)
        questions = _questions(plan)
        half = (len(questions) + 1) // 2
        for n, question in enumerate(questions):
            day = start if n < half else self.day(1, start)
            self.at(day, 8, 30 + 20 * (n % half), self.answer, key, question)
        self.at(self.day(1, start), 15, 30, self.write_report, key)
        self.at(self.day(2, start), 9, 0, self.sign_report, key)
        for (audit_key, question), (decider, accepted, reason) in DECISIONS.items():
            if audit_key == key:
                self.at(self.day(2, start), 10, 0, self.decide, key, question, decider, accepted, reason)
        self.at(self.day(3, start), 9, 0, self.close, key)
        self.plan_nc_closure(key, self.day(2, start))

    def plan_audit_in_progress(self, plan):
        key = plan.key
        self.at(self.day(-10), 10, 0, self.sign_plan, key)
        self.at(self.day(-9), 9, 30, self.approve_plan, key)
        self.at(self.day(-4), 8, 0, self.start, key)
        answered = _questions(plan)[:ANSWERED_IN_PROGRESS]
        per_day = (len(answered) + 2) // 3
        for n, question in enumerate(answered):
            self.at(self.day(-4 + n // per_day), 9, 20 * (n % per_day), self.answer, key, question)

    def plan_nc_closure(self, key, found):
        """The minor finding's NC, from the day after the report: corrected, analysed, its action done,
        reviewed effective by the leader, closed by the quality officer (within four weeks)."""
        correction, whys, causes, (what, owner), result, review_notes = CLOSURES[key]
        self.at(found, 14, 0, self.correction, key, correction, due_on=found)
        self.at(self.day(1, found), 10, 0, self.correction, key, correction, done=True)
        self.at(self.day(1, found), 10, 5, self.disposition, key)
        for n, (question, answer) in enumerate(whys):
            self.at(self.day(2, found), 9, 5 * n, self.why, key, question, answer)
        for n, (category, description, is_root) in enumerate(causes):
            self.at(self.day(2, found), 9, 20 + 5 * n, self.cause, key, category, description, is_root)
        self.at(self.day(3, found), 14, 0, self.accept_analysis, key)
        self.at(self.day(4, found), 9, 0, self.add_action, key, what, owner, self.day(9, found))
        self.at(self.day(8, found), 16, 0, self.complete_action, key, result)
        self.at(self.day(8, found), 16, 30, self.plan_review, key, self.day(14, found))
        self.at(self.day(14, found), 10, 0, self.review, key, review_notes)
        self.at(self.day(15, found), 9, 0, self.close_nc, key)

    # --- the steps: the programme and the audits ---------------------------------------------------------

    def add(self, year, plan, start, end):
        qo, commune = self.user("qo"), self.story.commune
        procedures = [catalogue.procedure(commune.id, code).procedure for code in plan.procedures]
        self.audits[plan.key] = services.add_audit(
            qo,
            services.programme_for(qo, commune, year),
            title=plan.title,
            clauses=list(plan.clauses),
            planned_start=start,
            planned_end=end,
            lead_auditor=self.user(plan.lead),
            team=[self.user(plan.member)],
            procedures=procedures,
            system_processes=list(plan.system_processes),
            units=[self.story.units[code] for code in plan.units],
            criteria=plan.criteria,
        )

    def approve_programme(self, year):
        programme = services.find_programme(self.story.commune, year)
        services.approve_programme(self.user("leader"), programme, self.story.password)

    def sign_plan(self, key):
        audit = self.audits[key]
        services.sign_plan(audit.lead_auditor, audit, self.story.password)

    def approve_plan(self, key):
        services.approve_plan(self.user("leader"), self.audits[key], self.story.password)

    def start(self, key):
        audit = self.audits[key]
        services.start_audit(audit.lead_auditor, audit)

    def answer(self, key, question):
        """The answer to a checklist question: the finding ANSWERS names, or conform with the evidence
        the library says to look at, by the lead auditor."""
        audit = self.audits[key]
        item = next(item for item in audit.items if item.question.key == question)
        found = ANSWERS.get(key, {}).get(question)
        if found is not None:
            result, notes, username = found
            by = self.user(username)
        else:
            result, notes, by = "conform", f"Phù hợp. Đã xem: {item.question.evidence.rstrip('.')}.", audit.lead_auditor
        services.answer_item(by, item, result=result, notes=notes)

    def write_report(self, key):
        audit = self.audits[key]
        summary, strengths, conclusions = REPORTS[key]
        services.write_report(audit.lead_auditor, audit, summary=summary, strengths=strengths, conclusions=conclusions)

    def sign_report(self, key):
        audit = self.audits[key]
        services.sign_report(audit.lead_auditor, audit, self.story.password)

    def _finding(self, key, question):
        audit = self.audits[key]
        return next(item.finding for item in audit.items if item.question.key == question)

    def decide(self, key, question, decider, accepted, reason):
        services.decide_finding(self.user(decider), self._finding(key, question), accepted=accepted, reason=reason)

    def close(self, key):
        services.close_audit(self.user("qo"), self.audits[key])

    # --- the steps: a minor finding's NC -----------------------------------------------------------------

    def nc(self, key):
        if key not in self.ncs:
            question = next(q for q, (result, _notes, _by) in ANSWERS[key].items() if result == "minor")
            self.ncs[key] = db.session.get(Nonconformity, self._finding(key, question).nc_id)
        return self.ncs[key]

    def correction(self, key, what, done=False, due_on=None):
        ncs.record_correction(self.user("qo"), self.nc(key), what=what, by=self.user("qo"), due_on=due_on, done=done)

    def disposition(self, key):
        ncs.record_disposition(self.user("qo"), self.nc(key), disposition=Disposition.corrected)

    def why(self, key, question, answer):
        ncs.add_why(self.user("qo"), self.nc(key), question=question, answer=answer)

    def cause(self, key, category, description, is_root):
        ncs.add_cause(self.user("qo"), self.nc(key), category=category, description=description, is_root=is_root)

    def accept_analysis(self, key):
        ncs.accept_analysis(
            self.user("qo"), self.nc(key), password=self.story.password, comment="Nguyên nhân gốc rễ đã xác định."
        )

    def add_action(self, key, what, owner, due_on):
        self.items[key] = ncs.add_action(
            self.user("qo"), self.nc(key), what=what, owner=self.user(owner), due_on=due_on
        )

    def complete_action(self, key, result):
        item = self.items[key]
        ncs.complete_action(item.owner, item, result=result)

    def plan_review(self, key, on):
        self.reviews[key] = ncs.plan_review(self.user("qo"), self.nc(key), planned_on=on, reviewer=self.user("leader"))

    def review(self, key, notes):
        review = self.reviews[key]
        ncs.record_review(review.reviewer, review, result="effective", notes=notes)

    def close_nc(self, key):
        ncs.close_nc(
            self.user("qo"),
            self.nc(key),
            password=self.story.password,
            risks_need_update=False,
            documents_need_update=False,
            comment="Hành động khắc phục có hiệu lực; đóng phiếu.",
        )
