"""The demo commune's dossiers (qms/demo.py tells them with its documents and nonconformities).

About ninety dossiers received at the one-stop desk in the six weeks (thirty working days) before
the day the demo is loaded, for the procedures whose process is in force (the maps the quality
officer imported), each step through the dossier services at its time, at office hours on working
days: received by the one-stop officer (staff; about a third filed online, a few by post), handed
to the civil-status officer (qo2) or, for the monthly social allowance, the culture-social officer
(social) to appraise, to the leader to sign, to the office's clerk (qo, who keeps the seal and the
registers) to seal and register, and back to the one-stop officer, who records the result and
returns it. Applicants, phones and addresses are invented, in the commune. Most dossiers are early
or on time; besides them:

- three results late (certified copies signed the morning after, a marital-status certificate, a
  social allowance): the daily job (dossiers.overdue), run here at 07:00 on each working morning,
  opens each one's nonconformity (late dossier) the morning after its due date;
- one unfinished past its due date (a correction of civil-status records waiting at the
  appraisal): its nonconformity opened by the job, on the warning lists;
- one extended: the leader signs the apology letter with a new return date (Phiếu xin lỗi và hẹn
  lại ngày trả kết quả) the day before the due date, which opens its nonconformity at once; the
  result is ready before the new date;
- one supplemented (the clock stood still for two working days) and one waiting for the citizen's
  supplement now; one refused at the appraisal; one withdrawn by the citizen;
- the quality officer's targets for the year (on-time rate, share online, handling time,
  satisfaction), set before the first dossier;
- the last days' dossiers still in progress, one of them due on the next working day (the warning
  lists of the home pages), and results waiting for the citizen.

The random choices (procedures, applicants, channels, times) come from a seeded random.Random: the
same day gives the same dossiers. The death registration is not among them: its process QT-11 is
a draft, so it has no process in force.
"""

import datetime as dt
import random

from sqlalchemy import select

from qms.core.calendar import (
    add_working_days,
    add_working_hours,
    due_date,
    is_working_day,
    local_tz,
    next_working_day,
    office_hours,
    to_local,
)
from qms.db import db
from qms.dossiers import services
from qms.dossiers.models import Channel, Indicator
from qms.processes import maps
from qms.processes.cli import default_maps_folder
from qms.processes.models import Procedure
from qms.processes.services import read_maps

SEED = 20251201
# The targets of the quality officer's monitoring (Indicator: value): nearly every dossier on time,
# a third filed online, three working days on average, nine citizens in ten satisfied.
TARGETS = {
    Indicator.on_time_rate: 97.0,
    Indicator.online_share: 30.0,
    Indicator.handling_days: 3.0,
    Indicator.satisfied_share: 90.0,
}
WINDOW = 30  # working days of dossiers before the day the demo is loaded
PER_DAY = (1, 2, 2, 3, 3, 3, 4)  # ordinary dossiers a working day, drawn

# Who holds each role of the process maps in the demo commune.
HOLDERS = {
    "one_stop": "staff",
    "civil_status": "qo2",
    "culture_social": "social",
    "leader": "leader",
    "clerk": "qo",  # the office's civil servant keeps the seal and the registers (văn thư)
}

# How often each procedure comes to the desk, in the six weeks (the certified copies most).
WEIGHTS = {
    "2.000815": 22,  # certified copies
    "1.001193": 14,  # birth registration
    "2.000884": 10,  # signature certification
    "1.004873": 9,  # marital-status certificate
    "2.000635": 8,  # copies of civil-status extracts
    "1.000894": 6,  # marriage registration
    "2.001035": 5,  # contracts and transactions
    "1.004859": 3,  # change, correction of civil-status records
    "1.001776": 3,  # monthly social allowance
    "1.001022": 1,  # recognition of parents and children
    "1.004837": 1,  # guardianship
}

# Family names, the commonest drawn more often.
FAMILY = (
    ("Nguyễn",) * 6 + ("Trần", "Lê") * 3 + ("Phạm",) * 2
    + ("Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Đinh", "Trịnh", "Mai", "Lương", "Cao")
)  # fmt: skip
MALE = (
    ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thanh", "Xuân"),
    (
        "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Lâm", "Long",
        "Nam", "Phong", "Quân", "Sơn", "Thắng", "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn", "Việt", "Vinh",
    ),
)  # fmt: skip
FEMALE = (
    ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Kim", "Phương"),
    (
        "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Liên", "Linh", "Loan",
        "Mai", "Nga", "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang", "Tuyết", "Vân", "Yến",
    ),
)  # fmt: skip
VILLAGES = (
    "thôn Đông",
    "thôn Tây",
    "thôn Nam",
    "thôn Bắc",
    "thôn Trung",
    "thôn Hòa Lạc",
    "thôn Phú Xuân",
    "thôn An Thịnh",
    "xóm Đồng Mới",
    "xóm Bến",
)

# The notes of a hand-over, by the step it ends (the process control sheet).
STEP_NOTES = {
    "receive": "Hồ sơ đầy đủ, hợp lệ; đã cấp Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "appraise": "Đã thẩm định, đủ điều kiện giải quyết; trình ký",
    "publish": "Đã niêm yết công khai tại trụ sở UBND xã và nhà văn hóa thôn; không có ý kiến phản ánh",
    "sign": "Đã ký",
    "seal": "Đã vào sổ, đóng dấu",
    "register": "Đã ghi Sổ chứng thực, đóng dấu",
    "issue": "Đã vào sổ, đóng dấu quyết định",
}
ONLINE_RECEIPT = "Hồ sơ nộp trực tuyến trên Cổng Dịch vụ công quốc gia; đã kiểm tra bản điện tử, đủ thành phần"
RETURN_NOTES = {
    Channel.in_person: "Người yêu cầu đã nhận kết quả tại Trung tâm, ký Sổ theo dõi hồ sơ",
    Channel.online: "Trả kết quả điện tử qua Cổng Dịch vụ công; bản giấy nhận tại Trung tâm",
    Channel.post: "Gửi kết quả qua dịch vụ bưu chính công ích",
}


def plan_dossiers(story):
    """Plan the dossiers' steps into the demo story (qms.demo.DocumentStory), told with the
    documents' and the nonconformities'."""
    DossierStory(story).plan()


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


def _opening(day):
    return dt.datetime.combine(day, office_hours()[0][0], local_tz())


def _hours_until_end(start, last_day):
    """Working hours (office hours of working days) from `start` to the end of `last_day`."""
    local = to_local(start)
    day, after, total = local.date(), local.time().replace(tzinfo=None), 0.0
    while day <= last_day:
        if is_working_day(day):
            for begin, end in office_hours():
                begin = max(begin, after)
                if begin < end:
                    total += (dt.datetime.combine(day, end) - dt.datetime.combine(day, begin)).total_seconds() / 3600
        day, after = day + dt.timedelta(days=1), dt.time.min
    return total


class DossierStory:
    def __init__(self, story):
        self.story = story
        self.rng = random.Random(SEED)
        loaded = (maps.load(text, source) for source, text in read_maps(default_maps_folder()))
        self.maps = {process.code: process for process in loaded}
        # every step before the day the demo is loaded
        self.end = dt.datetime.combine(story.today, dt.time.min, local_tz())
        self.dossiers = {}  # key -> Dossier, once received
        self.procedures = {}  # code -> Procedure, read when first needed
        self.keys = 0

    # --- time --------------------------------------------------------------------------------------

    def day(self, n):
        """The n-th working day before the day the demo is loaded (n < 0)."""
        return add_working_days(self.story.today, n)

    def t(self, day, hour, minute=0):
        """A time on `day` (a date, or n for self.day(n)) in the commune's time zone."""
        day = day if isinstance(day, dt.date) else self.day(day)
        return dt.datetime.combine(day, dt.time(hour, minute), local_tz())

    def into(self, day, hours):
        """The moment `hours` working hours into `day`'s office hours."""
        return _minute(add_working_hours(_opening(day), hours))

    def later(self, moment, hours):
        return _minute(add_working_hours(moment, hours))

    # --- the steps ---------------------------------------------------------------------------------

    def then(self, moment, action, *args, strict=False, **kwargs):
        """Plan `action` at `moment` when it is before the day the demo is loaded; a special
        dossier's steps (strict) must all be."""
        if moment >= self.end:
            if strict:
                raise ValueError(f"a planned dossier step falls on or after {self.story.today}: {moment}")
            return False
        self.story.then(moment, action, *args, **kwargs)
        return True

    def user(self, username):
        return self.story.users[username]

    def procedure(self, code):
        if code not in self.procedures:
            self.procedures[code] = db.session.scalar(
                select(Procedure).where(Procedure.commune_id == self.story.commune.id, Procedure.code == code)
            )
        return self.procedures[code]

    def receive(self, key, code, channel, applicant, components):
        name, phone, address = applicant
        commune = self.story.commune
        self.dossiers[key] = services.receive_dossier(
            self.user("staff"),
            commune,
            procedure=self.procedure(code),
            channel=channel,
            applicant_name=name,
            applicant_phone=phone,
            applicant_address=f"{address}, {commune.name.removeprefix('UBND ')}",
            components=components,
        )

    def hand(self, key, giver, taker, notes=""):
        services.hand_over(self.user(giver), self.dossiers[key], to_user=self.user(taker), notes=notes)

    def result(self, key, notes=""):
        services.record_result(self.user("staff"), self.dossiers[key], notes=notes)

    def give_back(self, key, notes):
        services.return_result(self.user("staff"), self.dossiers[key], notes=notes)

    def ask_supplement(self, key, items, notes=""):
        services.request_supplement(self.user("staff"), self.dossiers[key], items=items, notes=notes)

    def supplemented(self, key, notes):
        services.receive_supplement(self.user("staff"), self.dossiers[key], notes=notes)

    def refuse(self, key, actor, reason):
        services.refuse_dossier(self.user(actor), self.dossiers[key], reason=reason)

    def withdraw(self, key, actor, reason):
        services.withdraw_dossier(self.user(actor), self.dossiers[key], reason=reason)

    def extend(self, key, reason, new_due_date):
        services.extend_due_date(
            self.user("leader"),
            self.dossiers[key],
            reason=reason,
            new_due_date=new_due_date,
            password=self.story.password,
        )

    def set_targets(self, year):
        services.set_targets(self.user("qo"), self.story.commune, year, TARGETS)

    def overdue_job(self, today):
        services.open_overdue_ncs(today=today)

    # --- who comes, with what ----------------------------------------------------------------------

    def applicant(self):
        rng = self.rng
        middles, givens = MALE if rng.random() < 0.5 else FEMALE
        name = f"{rng.choice(FAMILY)} {rng.choice(middles)} {rng.choice(givens)}"
        phone = f"09{rng.randint(0, 9)}{rng.randint(0, 9_999_999):07d}"
        village = rng.choice(VILLAGES)
        where = f"Số nhà {rng.randint(1, 180)}" if rng.random() < 0.6 else f"Tổ {rng.randint(1, 12)}"
        return name, phone, f"{where}, {village}"

    def components(self, process):
        """The papers received: the map's requirements, those that apply only sometimes ("nếu")
        now and then."""
        return [r for r in process.requirements if "nếu" not in r or self.rng.random() < 0.3]

    def channel(self, process):
        if process.online == "none":
            return Channel.in_person
        draw, online = self.rng.random(), 0.8 if process.online == "fully" else 0.5
        if draw < online:
            return Channel.online
        return Channel.post if draw < online + 0.04 else Channel.in_person

    def holder(self, step):
        return HOLDERS[step.role]

    def new_key(self):
        self.keys += 1
        return self.keys

    # --- planning ----------------------------------------------------------------------------------

    def plan(self):
        self.plan_specials()
        first = self.day(-WINDOW)
        # The quality officer sets the year's targets before the first dossier (each year the
        # dossiers fall in: the window may begin the year before).
        for year in sorted({first.year, self.story.today.year}):
            self.then(self.t(first, 7, 30), self.set_targets, year)
        day = first
        while day < self.story.today:
            for _ in range(self.rng.choice(PER_DAY)):
                self.plan_ordinary(day)
            day = add_working_days(day, 1)
        # The daily job, each working morning: an unfinished dossier past its due date opens its NC.
        day = add_working_days(first, 1)
        while day < self.story.today:
            self.then(self.t(day, 7), self.overdue_job, day)
            day = add_working_days(day, 1)

    def plan_receipt(self, key, code, received, channel=None, applicant=None, components=None, strict=False):
        process = self.maps[code]
        channel = channel or self.channel(process)
        self.then(
            received,
            self.receive,
            key,
            code,
            channel,
            applicant or self.applicant(),
            components if components is not None else self.components(process),
            strict=strict,
        )
        return process, channel

    def plan_steps(self, key, process, start, hours, *, first=0, last=None, channel=None, strict=False):
        """The hand-overs from step `first` to step `last` (the last step by default), spread over
        `hours` working hours after `start` in proportion to the steps' allowances (give or take);
        returns the time of the last hand-over."""
        steps = process.steps
        last = len(steps) - 1 if last is None else last
        ending = steps[first:last]
        weights = [step.allowance_hours * self.rng.uniform(0.6, 1.4) for step in ending]
        done, moment = 0.0, start
        for n, step in enumerate(ending):
            done += hours * weights[n] / sum(weights)
            moment = max(self.later(start, done), moment + dt.timedelta(minutes=5))
            online = step.id == "receive" and channel is Channel.online
            notes = ONLINE_RECEIPT if online else STEP_NOTES.get(step.id, "")
            giver, taker = self.holder(step), self.holder(steps[first + n + 1])
            self.then(moment, self.hand, key, giver, taker, notes, strict=strict)
        return moment

    def plan_ordinary(self, day):
        rng = self.rng
        code = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        process = self.maps[code]
        if process.working_days == 0:
            # same-day procedures come mostly in the morning; some after the cut-off hour
            offset = rng.uniform(7.1, 7.8) if rng.random() < 0.12 else rng.uniform(0.1, 5.0)
        else:
            offset = rng.uniform(0.1, 7.6)
        received = self.into(day, offset)
        key = self.new_key()
        process, channel = self.plan_receipt(key, code, received)
        due = due_date(received, process.working_days, cutoff=maps.cutoff_time(process)).due_date
        work = sum(step.allowance_hours for step in process.steps[:-1])
        if due == day:  # the same day, before the cut-off hour
            hours = rng.uniform(0.55, 0.92) * min(_hours_until_end(received, day), work)
        elif process.working_days > 0 and rng.random() < 0.7:  # early
            room = _hours_until_end(received, add_working_days(due, -1))
            hours = rng.uniform(0.35, 0.9) * min(room, work * 1.2)
        else:  # on the due date
            before = _hours_until_end(received, add_working_days(due, -1))
            hours = rng.uniform(before + 0.3, _hours_until_end(received, due) - 0.2)
        hours = max(hours, 0.2 * len(process.steps))
        last_handover = self.plan_steps(key, process, received, hours - 0.1, channel=channel)
        ready = max(self.later(received, hours), last_handover + dt.timedelta(minutes=5))
        if not self.then(ready, self.result, key):
            return
        if channel is Channel.online:
            back = self.later(ready, rng.uniform(0.1, 1.0))
        elif channel is Channel.post:
            back = self.later(ready, rng.uniform(0.5, 3.0))
        elif process.working_days == 0 or to_local(ready).date() >= due or rng.random() < 0.5:
            back = self.later(ready, rng.uniform(0.2, 5.0))  # the citizen comes (back) when told
        else:
            back = max(self.into(due, rng.uniform(0.1, 7.5)), ready + dt.timedelta(minutes=10))  # on the appointment
        self.then(back, self.give_back, key, RETURN_NOTES[channel])

    # --- the dossiers the demo shows on purpose ----------------------------------------------------

    def special(self, code, received, channel=Channel.in_person, components=None):
        key = self.new_key()
        process, _channel = self.plan_receipt(key, code, received, channel, components=components, strict=True)
        return key, process

    def hands(self, key, process, moments, notes=(), first=0):
        """Hand-overs at the given moments from step `first` on, each to the next step's holder."""
        steps = process.steps
        for n, moment in enumerate(moments):
            step, following = steps[first + n], steps[first + n + 1]
            note = notes[n] if n < len(notes) and notes[n] else STEP_NOTES.get(step.id, "")
            self.then(moment, self.hand, key, self.holder(step), self.holder(following), note, strict=True)

    def plan_specials(self):
        self.plan_late_copies()
        self.plan_late_certificate()
        self.plan_late_allowance()
        self.plan_extended()
        self.plan_withdrawn()
        self.plan_supplemented()
        self.plan_refused()
        self.plan_overdue()
        self.plan_due_soon()
        self.plan_result_waiting()
        self.plan_supplement_waiting()

    def plan_late_copies(self):
        """Certified copies received at 14:40 (before the cut-off: due that day); the leader, at a
        meeting in the afternoon, signs the next morning: late, its NC opened by the 07:00 job."""
        key, process = self.special("2.000815", self.t(-27, 14, 40))
        self.hands(
            key,
            process,
            [self.t(-27, 14, 55), self.t(-27, 16, 50), self.t(-26, 8, 10), self.t(-26, 8, 30)],
            notes=(
                "Hồ sơ 32 trang, đề nghị chứng thực 05 bộ",
                "Đã đối chiếu bản chính; trình ký",
                "Đã ký sáng nay (chiều qua lãnh đạo họp tại Sở Tư pháp tỉnh)",
            ),
        )
        self.then(self.t(-26, 8, 40), self.result, key, strict=True)
        self.then(self.t(-26, 9, 15), self.give_back, key, RETURN_NOTES[Channel.in_person], strict=True)

    def plan_late_certificate(self):
        """A marital-status certificate (3 working days) whose appraisal waited for a look-up in
        the electronic civil-status database: ready a day late, without an apology letter."""
        key, process = self.special("1.004873", self.t(-19, 9, 10))
        self.hands(
            key,
            process,
            [self.t(-19, 9, 40), self.t(-16, 15, 30), self.t(-15, 9, 0), self.t(-15, 9, 20)],
            notes=("", "Đã có kết quả tra cứu Cơ sở dữ liệu hộ tịch điện tử; trình ký"),
        )
        self.then(self.t(-15, 9, 30), self.result, key, strict=True)
        self.then(self.t(-15, 14, 0), self.give_back, key, RETURN_NOTES[Channel.in_person], strict=True)

    def plan_late_allowance(self):
        """A monthly social allowance (12 working days): the decision signed two days after its
        allowance, the result a day late."""
        key, process = self.special("1.001776", self.t(-29, 8, 45))
        self.hands(
            key,
            process,
            [self.t(-29, 10, 30), self.t(-25, 16, 0), self.t(-22, 16, 0), self.t(-16, 10, 0), self.t(-16, 14, 0)],
        )
        self.then(self.t(-16, 14, 15), self.result, key, strict=True)
        self.then(self.t(-15, 9, 0), self.give_back, key, RETURN_NOTES[Channel.in_person], strict=True)

    def plan_extended(self):
        """A marital-status certificate that needs a verification where the applicant lived before:
        the day before the due date the leader signs the apology letter with a new return date (its
        NC opened at once); the answer comes, and the result is ready the day before the new date."""
        key, process = self.special("1.004873", self.t(-22, 9, 0))
        self.hands(key, process, [self.t(-22, 9, 40)])
        self.then(
            self.t(-20, 15, 0),
            self.extend,
            key,
            "Cần xác minh tình trạng hôn nhân của người yêu cầu tại nơi cư trú trước đây (phường Tân Phong, "
            "tỉnh Lai Châu); đến nay UBND phường chưa có văn bản trả lời.",
            self.day(-16),
            strict=True,
        )
        self.hands(
            key,
            process,
            [self.t(-17, 9, 0), self.t(-17, 10, 30), self.t(-17, 10, 50)],
            notes=("Đã nhận văn bản xác minh của UBND phường Tân Phong; đủ điều kiện cấp, trình ký",),
            first=1,
        )
        self.then(self.t(-17, 11, 0), self.result, key, strict=True)
        self.then(self.t(-16, 8, 30), self.give_back, key, RETURN_NOTES[Channel.in_person], strict=True)

    def plan_withdrawn(self):
        key, process = self.special("1.001022", self.t(-14, 9, 0))
        self.hands(key, process, [self.t(-14, 9, 30)])
        self.then(
            self.t(-13, 14, 0),
            self.withdraw,
            key,
            "qo2",
            "Người yêu cầu xin rút hồ sơ để bổ sung kết quả giám định ADN; sẽ nộp lại khi có kết quả.",
            strict=True,
        )

    def plan_supplemented(self):
        """Filed online with an unreadable scan: the one-stop officer asks for it (the clock stops),
        the citizen brings the paper two working days later (the due date moves by two)."""
        key, process = self.special("1.004859", self.t(-12, 8, 40), Channel.online)
        self.then(
            self.t(-12, 9, 10),
            self.ask_supplement,
            key,
            ["Bản chụp Giấy khai sinh có thông tin cần cải chính (tệp đã nộp bị mờ, không đọc được năm sinh)"],
            "Đã gửi Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ qua Cổng Dịch vụ công và gọi điện cho công dân",
            strict=True,
        )
        self.then(
            self.t(-10, 10, 0),
            self.supplemented,
            key,
            "Công dân nộp bản chính Giấy khai sinh tại Trung tâm để đối chiếu",
            strict=True,
        )
        self.hands(key, process, [self.t(-10, 10, 20), self.t(-9, 14, 0), self.t(-8, 9, 0), self.t(-8, 9, 20)])
        self.then(self.t(-8, 9, 30), self.result, key, strict=True)
        self.then(self.t(-8, 10, 0), self.give_back, key, RETURN_NOTES[Channel.online], strict=True)

    def plan_refused(self):
        key, process = self.special("2.001035", self.t(-9, 14, 0))
        self.hands(key, process, [self.t(-9, 14, 30)])
        self.then(
            self.t(-8, 10, 0),
            self.refuse,
            key,
            "qo2",
            "Thửa đất số 215, tờ bản đồ số 08 đang có đơn tranh chấp do UBND xã đang hòa giải; theo Luật Đất đai "
            "số 31/2024/QH15, đất có tranh chấp chưa đủ điều kiện chuyển nhượng. Trả lại hồ sơ kèm Phiếu từ chối "
            "tiếp nhận, giải quyết hồ sơ (BM-03-QT-06).",
            strict=True,
        )

    def plan_overdue(self):
        """A correction of civil-status records (3 working days) still at the appraisal past its
        due date: on the warning lists, its NC opened by the job."""
        key, process = self.special("1.004859", self.t(-6, 10, 0))
        self.hands(key, process, [self.t(-6, 10, 45)])

    def plan_due_soon(self):
        """A marital-status certificate due on the next working day, with the leader to sign."""
        received_on = add_working_days(next_working_day(self.story.today), -3)
        key, process = self.special("1.004873", self.t(received_on, 8, 20))
        self.hands(key, process, [self.t(received_on, 8, 50), self.t(-1, 15, 30)])

    def plan_result_waiting(self):
        """Ready early; the citizen comes on the appointment day, not yet."""
        key, process = self.special("1.004873", self.t(-3, 14, 0))
        self.hands(key, process, [self.t(-3, 14, 30), self.t(-2, 10, 0), self.t(-2, 15, 0), self.t(-1, 8, 0)])
        self.then(self.t(-1, 8, 10), self.result, key, strict=True)

    def plan_supplement_waiting(self):
        key, _process = self.special("1.004837", self.t(-1, 9, 0), Channel.online)
        self.then(
            self.t(-1, 9, 45),
            self.ask_supplement,
            key,
            ["Văn bản cử người giám hộ có chữ ký của các bên (tệp đã nộp thiếu trang 2)"],
            "Đã gửi Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ qua Cổng Dịch vụ công",
            strict=True,
        )
