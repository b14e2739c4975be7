"""The demo commune: units after the 2025 two-tier reform, one account per role, its documents.

The documents (qms/documents/demo/) are generated .docx and .xlsx files with Vietnamese content, and
everything that happens to them goes through the document-control services with the demo password,
so that the signatures, the audit trail and the upload checks are the real ones. The story, with
dates counted back from the day the demo is loaded:

- the policy, the objectives of the year, the system procedures QT-01..QT-05, and the procedures of
  the one-stop shop (QT-06) and of four administrative procedures (QT-07..QT-10), with their forms,
  effective; four weeks after these, the seven other procedures of the process maps in process_maps/
  (QT-12..QT-18, each with its declaration or register BM-01), effective; the forms and the
  procedures the one-stop staff use are distributed to the one-stop unit, so its staff get "read and
  understood" tasks (a few are left open);
- QT-06 and its receipt slip BM-01-QT-06 at issue 02, issue 01 superseded: Decree 118/2025/NĐ-CP
  replaced Decree 61/2018/NĐ-CP and the one-stop section became the Public Administrative Service
  Centre; the decree's entry is marked replaced and QT-06's legal bases follow;
- the instruction for the former one-stop software (HD-01-QT-06) withdrawn, so obsolete;
- QT-04 effective for more than its review interval, so overdue for periodic review; QT-02 due soon;
  QT-01 older but confirmed "reviewed, still valid";
- QT-10 issue 02 submitted and waiting for its review; BM-02-QT-06 issue 02 reviewed and waiting for
  the approver; QT-11 (death registration) and its declaration BM-01-QT-11 a first draft;
- one open change request from the staff, and one declined.

The procedures: two working days after QT-12..QT-18 came into force, the quality officer imports
the process maps of process_maps/ (`qms process import`), each tied to its QT in force, so that
every procedure of the demo has its process in force; the death registration's map is imported
the day its QT-11 is first drafted, and waits for that draft's approval.

The nonconformities (qms/nonconformities/demo.py) are planned after the documents and told with
them, in the order of their times; with them, what citizens wrote in the feedback box (through its
services, handed to the NCs' story, which does not import the box: a compliment closed, the
complaint one NC is opened from, two items waiting for triage). The dossiers of the last six weeks
(qms/dossiers/demo.py) too: received, handed over, appraised, signed, returned at their times,
a few late (each with its NC), one extended with the leader's apology letter, some still in
progress. The internal audits (qms/audits/demo.py): last year's programme completed, its findings'
NCs closed, and this year's approved programme with one audit in progress and one planned.

The story is told in the order of its times, each step with the clock set to its time
(qms.core.calendar.clock_at), so the records, signatures and audit events carry the times of the
story, not the time the demo was loaded: the commune, its units and accounts are created first, the
external documents are registered a week later (Decree 118/2025 a few days after it was issued),
and every version is drafted, submitted, reviewed and approved on working days before its effective
date, at office hours in the commune's time zone, and acknowledged in the working days after; the
work in progress is from the last two weeks, and the story ends a working day before `today`.

Separation of duties holds throughout: procedures and forms are drafted by one quality officer,
reviewed by the leader and approved by the other quality officer; the policy and objectives are
reviewed by a quality officer and approved by the leader. That needs two quality officers (qo, qo2).
The dossiers are handled by the people the process maps name: the one-stop officer (staff), the
civil-status officer (qo2), the culture-social officer (social, for the social allowance), the
leader, and the office's civil servant who keeps the seal (qo).
"""

import datetime as dt
import functools
import secrets

from sqlalchemy import select

from qms.audits.demo import plan_audits
from qms.auth.models import Commune
from qms.auth.services import create_commune, create_unit, create_user
from qms.core.calendar import (
    add_working_days,
    clock_at,
    is_working_day,
    local_today,
    local_tz,
    next_working_day,
    to_local,
    utcnow,
)
from qms.db import db
from qms.documents import services
from qms.documents.demo import system
from qms.documents.demo.catalogue import BY_CODE, EXTERNAL_BY_CODE, based_on
from qms.documents.demo.external import reference_sheet
from qms.documents.demo.parts import Control, Person, Revision
from qms.documents.models import VersionStatus
from qms.dossiers.demo import plan_dossiers
from qms.feedback import services as feedback
from qms.nonconformities.demo import plan_nonconformities
from qms.processes import maps
from qms.processes.cli import default_maps_folder
from qms.processes.services import import_maps, read_maps

DEMO_COMMUNE = {"code": "XA-HOABINH", "name": "UBND xã Hòa Bình"}

DEMO_UNITS = [
    ("VP", "Văn phòng HĐND và UBND", False),
    ("KT", "Phòng Kinh tế", False),
    ("VHXH", "Phòng Văn hóa - Xã hội", False),
    ("TTHCC", "Trung tâm Phục vụ hành chính công", True),
]

# user name, full name, role, unit codes
DEMO_USERS = [
    ("admin", "Trần Văn Quản", "administrator", ["VP"]),
    ("qo", "Nguyễn Thị Chất", "quality_officer", ["VP"]),
    ("qo2", "Đỗ Thu Hà", "quality_officer", ["VP"]),
    ("leader", "Lê Văn Lãnh", "leader", ["VP"]),
    ("staff", "Phạm Thị Một", "staff", ["TTHCC"]),
    ("social", "Bùi Thị Hội", "staff", ["VHXH"]),
    ("auditor", "Hoàng Văn Kiểm", "auditor", ["VHXH"]),
    ("sysadmin", "Vũ Minh Hệ", "installation_admin", []),
]

# Positions printed in the sign-off blocks of the documents (not stored: users have no position).
DEMO_POSITIONS = {
    "admin": "Công chức Văn phòng - Thống kê",
    "qo": "Công chức Văn phòng - Thống kê, Thư ký ISO",
    "qo2": "Công chức Tư pháp - Hộ tịch, cán bộ đầu mối ISO",
    "leader": "Chủ tịch UBND xã",
    "staff": "Công chức Trung tâm Phục vụ hành chính công",
    "social": "Công chức Văn hóa - Xã hội (lao động, người có công và xã hội)",
    "auditor": "Công chức Văn hóa - Xã hội",
    "sysadmin": "Quản trị hệ thống thông tin",
}


def has_data():
    return db.session.scalar(select(Commune.id).limit(1)) is not None


def demo_password(app):
    """QMS_DEMO_PASSWORD when set, otherwise one generated on first run and kept in instance/."""
    import os
    from pathlib import Path

    if os.environ.get("QMS_DEMO_PASSWORD"):
        return os.environ["QMS_DEMO_PASSWORD"]
    path = Path(app.instance_path) / "demo-password.txt"
    if not path.exists():
        path.write_text("Demo-" + secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


def load_demo(password, today=None):
    """Create the demo commune with its units and accounts, then its documents, procedures,
    nonconformities, feedback, dossiers and internal audits (see the module's docstring), each step at its time in
    the story. `today` is the day the story is told from (default: today in the commune); the story
    ends a working day before it."""
    story = DocumentStory(password, today or local_today())
    story.tell(lambda story: plan_nonconformities(story, feedback), plan_dossiers, plan_audits)
    return story.commune


# --- working days ----------------------------------------------------------------------------------
# The product's one calendar (qms.core.calendar: Tết, the swapped days and make-up Saturdays the
# administrator keeps); the story only needs, besides, "this day or the working day before it".


def working_day(day, n=0):
    """The n-th working day after `day` (before it for a negative n); for n = 0, `day` when it is a
    working day, otherwise the working day before it (a version approved ahead of an effective
    date that falls on a day off)."""
    if n:
        return add_working_days(day, n)
    return day if is_working_day(day) else add_working_days(day, -1)


# --- process maps ----------------------------------------------------------------------------------


@functools.cache
def _process_document(source, text):
    """The code of the QT a process map draws (a map is read once for the two imports)."""
    return maps.load(text, source).process_document


# --- the documents -------------------------------------------------------------------------------

# QT-06 rested on Decree 61/2018 until Decree 118/2025 replaced it (issue 02).
EARLIER_LEGAL_BASES = {"QT-06": ("NĐ-61-2018", "TT-01-2018-VPCP")}

# Acknowledgment tasks left open, to show on the home pages and in "who has not acknowledged".
OPEN_ACKNOWLEDGMENTS = {
    ("QT-06", 2): {"staff"},
    ("BM-01-QT-06", 2): {"staff"},
    ("BM-05-QT-06", 1): {"staff"},
    ("QT-05", 1): {"leader", "admin"},
    ("MT-01", 1): {"admin"},
}

FIRST_ISSUE = "Ban hành lần đầu"
WHOLE = "Toàn bộ tài liệu"


# How many working days before the last step of a version (its approval, for an effective one) each
# step is taken: drafted, submitted, reviewed, approved.
STEP_DAYS = {"draft": 6, "in_review": 5, "reviewed": 3, "effective": 0}
MINUTE = dt.timedelta(minutes=1)


class DocumentStory:
    """The demo commune's story: first planned as dated steps (a time and what happens then), then
    told in the order of their times, each step with the clock set to its time (clock_at), so that
    every record, signature and audit event carries the time of its step. A version is drafted,
    submitted, reviewed and approved on working days before its effective date, at office hours in
    the commune's time zone; approved on its effective date it is effective at once, approved before
    it (the effective date falls on a day off) the system puts it into force that day. The people it
    is distributed to acknowledge it in the working days after."""

    def __init__(self, password, today):
        self.password, self.today = password, today
        self.commune, self.units, self.users = None, {}, {}
        self.documents = {}
        self.versions = {}  # (code, issue_no) -> DocumentVersion, once drafted
        self.history = {}  # code -> [Revision], as planned
        self.declined = None  # the change request the quality officer declines
        self.steps = []  # (moment, order planned, action)

    def days_ago(self, days):
        return self.today - dt.timedelta(days=days)

    def at(self, day, hour, minutes=0):
        """`day` at hour:00 in the commune's time zone, plus `minutes`."""
        return dt.datetime.combine(day, dt.time(hour), local_tz()) + minutes * MINUTE

    def then(self, moment, action, *args, **kwargs):
        """Plan `action(*args, **kwargs)` at `moment`."""
        self.steps.append((moment, len(self.steps), lambda: action(*args, **kwargs)))

    def person(self, username):
        return Person(self.users[username].full_name, DEMO_POSITIONS[username])

    # --- telling ----------------------------------------------------------------------------------

    def tell(self, *more):
        """Plan the documents' story, then each of `more` (a function given the story, planning
        steps of another area), then the registry and the commune before it, and tell it all in the
        order of its times, every one of them before now."""
        self.plan_documents()
        for plan in more:
            plan(self)
        first_draft = to_local(min(moment for moment, _order, _action in self.steps)).date()
        registered_on = working_day(first_draft, -5)
        self.plan_registry(registered_on)
        self.plan_commune(working_day(registered_on, -5))
        started = utcnow()
        steps = sorted(self.steps, key=lambda step: step[:2])
        if steps[-1][0] >= started:
            raise ValueError(f"The demo story told from {self.today} would end in the future.")
        for moment, _order, action in steps:
            with clock_at(moment):
                action()

    # --- the commune and the registry ---------------------------------------------------------------

    def plan_commune(self, day):
        """The commune, its units and accounts, a week before the registry of external documents."""
        self.then(self.at(day, 8), self.create_commune)
        for n, (code, name, one_stop) in enumerate(DEMO_UNITS):
            self.then(self.at(day, 8, 10 + 3 * n), self.create_unit, code, name, one_stop)
        for n, (username, full_name, role, unit_codes) in enumerate(DEMO_USERS):
            self.then(self.at(day, 8, 30 + 5 * n), self.create_user, username, full_name, role, unit_codes)

    def create_commune(self):
        self.commune = create_commune(None, **DEMO_COMMUNE)

    def create_unit(self, code, name, one_stop):
        self.units[code] = create_unit(None, self.commune, code=code, name=name, is_one_stop=one_stop)

    def create_user(self, username, full_name, role, unit_codes):
        self.users[username] = create_user(
            None,
            self.commune,
            username=username,
            full_name=full_name,
            password=self.password,
            roles=[role],
            unit_ids=[self.units[c].id for c in unit_codes],
        )

    def plan_registry(self, day):
        """The external documents, registered on `day` a week before the first draft, or two working
        days after they were issued when that is later (Decree 118/2025)."""
        for n, spec in enumerate(EXTERNAL_BY_CODE.values()):
            on = day if spec.issued_on is None or spec.issued_on < day else working_day(spec.issued_on, 2)
            earlier = tuple(code for code, bases in EARLIER_LEGAL_BASES.items() if spec.code in bases)
            self.then(
                self.at(on, 8, 30 + 10 * n),
                self.register_external,
                spec,
                tuple(sorted({*based_on(spec.code), *earlier})),
                on,
            )
            if spec.effective_on is not None and spec.effective_on > on:
                # registered before it takes effect: in force from its own day (the daily job's work)
                self.then(self.at(spec.effective_on, 0, 5), self.text_in_force, spec.code, spec.effective_on)

    def register_external(self, spec, based_on, registered_on):
        qo = self.users["qo"]
        document = services.create_document(
            qo,
            self.commune,
            code=spec.code,
            title=spec.title,
            kind="external",
            field=spec.field,
            owning_unit=self.units["VP"],
            owner=qo,
            issuer=spec.issuer,
            number=spec.number,
            issued_on=spec.issued_on,
            effective_on=spec.effective_on,
            legal_status=spec.legal_status,
            retention_years=None,
        )
        data = reference_sheet(
            self.commune.name,
            spec,
            status=spec.legal_status,
            based_on=based_on,
            registered_on=registered_on,
            registered_by=qo.full_name,
        )
        services.register_external_file(
            qo,
            document,
            filename=f"Phiếu theo dõi {spec.number}.docx".replace("/", "-"),
            data=data,
            change_summary="Đăng ký văn bản vào danh mục",
        )
        self.documents[spec.code] = document
        return document

    def text_in_force(self, code, today):
        waiting = next(v for v in self.documents[code].versions if v.status is VersionStatus.approved)
        services.make_effective(None, waiting, today=today)

    def create(self, code):
        """Register an internal document (just before its first draft)."""
        spec = BY_CODE[code]
        title = (
            spec.title.format(year=system.objectives_year_of(self._objectives_date()))
            if "{year}" in spec.title
            else spec.title
        )
        legal_bases = EARLIER_LEGAL_BASES.get(code, spec.legal_bases)
        document = services.create_document(
            self.users["qo"],
            self.commune,
            code=spec.code,
            title=title,
            kind=spec.kind,
            field=spec.field,
            owning_unit=self.units[spec.unit],
            owner=self.users[spec.owner],
            parent=self.documents[spec.parent] if spec.parent else None,
            legal_bases=[self.documents[c] for c in legal_bases],
            access=spec.access,
            retention_years=spec.retention_years,
            distribution=[(self.units[u], None) for u in spec.distribution],
        )
        self.documents[spec.code] = document
        return document

    # --- versions ----------------------------------------------------------------------------

    def issue(
        self,
        code,
        *,
        author,
        reviewer,
        approver,
        effective_on=None,
        stop="effective",
        last_on=None,
        slot=0,
        summary=FIRST_ISSUE,
        where=WHOLE,
        reason="",
    ):
        """Plan the next issue of a document: drafted with its rendered file (the document registered
        just before its first draft), submitted, reviewed and approved as far as `stop` ("draft",
        "in_review", "reviewed", "effective"). An effective one is approved on its effective date
        (or the working day before, when that is a day off) and acknowledged after; one in progress
        takes its last step on `last_on`. `slot` staggers the documents of one batch through the
        morning. Returns the time of the draft."""
        spec = BY_CODE[code]
        issue_no = len(self.history.get(code, ())) + 1
        date = effective_on if stop == "effective" else None
        revisions = (*self.history.get(code, ()), Revision(issue_no, date, where, summary))
        self.history[code] = list(revisions)
        last_on = working_day(effective_on) if stop == "effective" else last_on

        def on(step):
            return working_day(last_on, STEP_DAYS[stop] - STEP_DAYS[step])

        key = (code, issue_no)
        drafted = self.at(on("draft"), 8, 20 * slot)
        if issue_no == 1:
            self.then(drafted - 5 * MINUTE, self.create, code)
        self.then(
            drafted,
            self.draft,
            key,
            author=author,
            reviewer=reviewer,
            approver=approver,
            revisions=revisions,
            summary=summary,
            reason=reason,
        )
        if stop == "draft":
            return drafted
        self.then(self.at(on("in_review"), 14, 10 * slot), self.submit, key, author)
        if stop == "in_review":
            return drafted
        self.then(self.at(on("reviewed"), 9, 15 * slot), self.review, key, reviewer)
        if stop == "reviewed":
            return drafted
        approved = self.at(last_on, 8, 10 * slot)
        self.then(approved, self.approve, key, approver, effective_on, last_on)
        if last_on < effective_on:
            self.then(self.at(effective_on, 0, 5), self.come_into_force, key, effective_on)
        left_open = OPEN_ACKNOWLEDGMENTS.get(key, set())
        reached = [name for name, _full_name, _role, units in DEMO_USERS if set(units) & set(spec.distribution)]
        for n, username in enumerate(reached):
            if username not in left_open:
                self.then(
                    self.at(working_day(effective_on, 1 + n % 3), 8, 25 * n + 5 * slot), self.acknowledge, key, username
                )
        return drafted

    def draft(self, key, *, author, reviewer, approver, revisions, summary, reason):
        code, issue_no = key
        spec, document = BY_CODE[code], self.documents[code]
        control = Control(
            commune=self.commune.name,
            code=code,
            title=document.title,
            issue_no=issue_no,
            issued_on=revisions[-1].date,
            drafted=self.person(author),
            reviewed=self.person(reviewer),
            approved=self.person(approver),
            revisions=revisions,
        )
        self.versions[key] = services.create_draft_version(
            self.users[author],
            document,
            filename=spec.filename,
            data=spec.render(control),
            change_summary=summary,
            reason=reason,
        )

    def submit(self, key, author):
        services.submit_for_review(self.users[author], self.versions[key])

    def review(self, key, reviewer):
        services.review_version(
            self.users[reviewer],
            self.versions[key],
            password=self.password,
            comment="Nội dung phù hợp, đề nghị phê duyệt.",
        )

    def approve(self, key, approver, effective_on, today):
        services.approve_version(
            self.users[approver], self.versions[key], password=self.password, effective_date=effective_on, today=today
        )

    def redraft(self, draft, *, where, reviewer="leader", approver="qo"):
        """Render a draft opened from a change request (it starts from the current file) as its
        issue: the change history with the new revision, the people who are to sign it."""
        code = draft.document.code
        spec = BY_CODE[code]
        revisions = (*self.history[code], Revision(draft.issue_no, None, where, draft.change_summary))
        control = Control(
            commune=self.commune.name,
            code=code,
            title=draft.document.title,
            issue_no=draft.issue_no,
            issued_on=None,
            drafted=self.person(draft.author.username),
            reviewed=self.person(reviewer),
            approved=self.person(approver),
            revisions=revisions,
        )
        services.replace_draft_file(draft.author, draft, filename=spec.filename, data=spec.render(control))

    def come_into_force(self, key, today):
        services.make_effective(None, self.versions[key], today=today)

    def acknowledge(self, key, username):
        services.acknowledge_version(self.users[username], self.versions[key])

    # --- the story ---------------------------------------------------------------------------

    def plan_documents(self):
        # Before the 2025 reform: the one-stop procedure, its receipt slip, the software instruction.
        before_reform = min(self.days_ago(600), dt.date(2025, 5, 15))
        for slot, code in enumerate(("QT-06", "BM-01-QT-06", "HD-01-QT-06")):
            self.issue(code, author="qo", reviewer="leader", approver="qo2", effective_on=before_reform, slot=slot)

        # The system: the policy, the objectives of the year, the system procedures.
        self.issue("CS-01", author="qo", reviewer="qo2", approver="leader", effective_on=self.days_ago(280))
        self.issue("MT-01", author="qo", reviewer="qo2", approver="leader", effective_on=self._objectives_date())
        for code, days in (("QT-01", 400), ("QT-02", 345), ("QT-03", 320), ("QT-04", 430)):
            self.issue(code, author="qo", reviewer="leader", approver="qo2", effective_on=self.days_ago(days))
        confirmed_on = working_day(self.days_ago(20))
        self.then(self.at(confirmed_on, 14, 30), self.confirm_still_valid, "QT-01", confirmed_on)

        # Decree 118/2025 replaces Decree 61/2018: the registry, QT-06 and its forms follow.
        reform = max(self.days_ago(150), dt.date(2025, 7, 1))
        drafted = self.issue(
            "QT-06",
            author="qo",
            reviewer="leader",
            approver="qo2",
            effective_on=reform,
            slot=0,
            where="Mục 1, 2, 3, 5, 6, 7",
            summary="Cập nhật căn cứ theo Nghị định số 118/2025/NĐ-CP thay thế Nghị định số 61/2018/NĐ-CP; "
            "đổi Bộ phận Tiếp nhận và Trả kết quả thành Trung tâm Phục vụ hành chính công; bổ sung các "
            "biểu mẫu BM-02 đến BM-06 theo Thông tư số 01/2018/TT-VPCP.",
            reason="Nghị định số 118/2025/NĐ-CP có hiệu lực từ ngày 01/7/2025.",
        )
        self.then(drafted - 20 * MINUTE, self.follow_decree_118)
        self.issue(
            "BM-01-QT-06",
            author="qo",
            reviewer="leader",
            approver="qo2",
            effective_on=reform,
            slot=1,
            where="Tên đơn vị; mục 6; ghi chú",
            summary="Đổi tên đơn vị tiếp nhận thành Trung tâm Phục vụ hành chính công; bổ sung hình thức nhận "
            "kết quả và hướng dẫn tra cứu hồ sơ bằng mã hồ sơ.",
            reason="Thực hiện Nghị định số 118/2025/NĐ-CP.",
        )
        for n in range(2, 7):
            self.issue(f"BM-0{n}-QT-06", author="qo", reviewer="leader", approver="qo2", effective_on=reform, slot=n)
        # The old software's instruction is withdrawn once the new versions are in force.
        self.then(
            self.at(next_working_day(reform), 10, 30),
            self.withdraw_software_instruction,
        )

        # The administrative procedures, drafted by the civil-status officer.
        procedures_on = min(reform + dt.timedelta(days=14), self.today)
        for slot, code in enumerate(
            ("QT-07", "BM-01-QT-07", "QT-08", "BM-01-QT-08", "QT-09", "BM-01-QT-09", "QT-10", "BM-01-QT-10")
        ):
            self.issue(code, author="qo2", reviewer="leader", approver="qo", effective_on=procedures_on, slot=slot)
        # The risks register names the procedures above, so it follows them.
        self.issue(
            "QT-05",
            author="qo",
            reviewer="leader",
            approver="qo2",
            effective_on=min(procedures_on + dt.timedelta(days=7), self.today),
        )
        # Four weeks later, the procedures of the other process maps in process_maps/, with their forms.
        more_on = min(procedures_on + dt.timedelta(days=28), self.today)
        for slot, code in enumerate(code for n in range(12, 19) for code in (f"QT-{n}", f"BM-01-QT-{n}")):
            self.issue(code, author="qo2", reviewer="leader", approver="qo", effective_on=more_on, slot=slot)
        # Once they are in force, the quality officer imports their process maps (qms process import):
        # each procedure has its process in force, and dossiers can be received for it.
        maps_on = min(add_working_days(next_working_day(more_on), 2), working_day(self.today, -2))
        self.then(self.at(maps_on, 9), self.import_process_maps, "qo")

        # Work in progress, in the last two weeks.
        self.then(self.at(working_day(self.today, -9), 10), self.propose_ledger_change)
        self.then(self.at(working_day(self.today, -7), 15, 30), self.decline_ledger_change)
        self.issue(
            "BM-02-QT-06",
            author="qo",
            reviewer="leader",
            approver="qo2",
            stop="reviewed",
            last_on=working_day(self.today, -5),
            where="Sau mục “Lý do”",
            summary="Bổ sung cách nộp hồ sơ bổ sung (trực tiếp, bưu chính công ích, trực tuyến) và việc tính "
            "lại thời hạn từ khi nhận đủ hồ sơ.",
            reason="Đề nghị của Trung tâm Phục vụ hành chính công.",
        )
        self.issue(
            "QT-10",
            author="qo2",
            reviewer="leader",
            approver="qo",
            stop="in_review",
            last_on=working_day(self.today, -3),
            where="Mục 5.3, 5.9 (bước 1, bước 3)",
            summary="Cho phép kiểm tra giấy tờ tùy thân qua ứng dụng VNeID / Cơ sở dữ liệu quốc gia về dân "
            "cư; rút ngắn thời gian ký chứng thực từ 1 giờ xuống 45 phút.",
            reason="Kết quả xem xét của lãnh đạo: giảm thời gian chờ của người dân.",
        )
        self.then(self.at(working_day(self.today, -2), 10), self.propose_birth_change)
        for slot, code in enumerate(("QT-11", "BM-01-QT-11")):
            self.issue(
                code,
                author="qo2",
                reviewer="leader",
                approver="qo",
                stop="draft",
                last_on=working_day(self.today, -1),
                slot=slot,
            )
        # The death registration's map is imported with its first draft: it waits for QT-11's approval.
        self.then(self.at(working_day(self.today, -1), 9), self.import_process_maps, "qo2")

    def import_process_maps(self, username):
        """`qms process import` of the project's process_maps/ by a quality officer: the maps whose
        process document the commune holds (the import is all or nothing, and a map naming a QT not
        yet drafted would refuse them all). Maps imported before are unchanged and stay as they are."""
        texts = [
            (source, text)
            for source, text in read_maps(default_maps_folder())
            if _process_document(source, text) in self.documents
        ]
        import_maps(self.users[username], self.commune, texts)

    def confirm_still_valid(self, code, today):
        services.confirm_still_valid(
            self.users["qo2"],
            services.current_version(self.documents[code]),
            password=self.password,
            today=today,
            comment="Đã xem xét định kỳ: quy trình còn phù hợp, chưa cần sửa đổi.",
        )

    def follow_decree_118(self):
        services.update_document(
            self.users["qo"],
            self.documents["NĐ-61-2018"],
            legal_status="replaced",
            reason="Thay thế bởi Nghị định số 118/2025/NĐ-CP từ ngày 01/7/2025.",
        )
        services.update_document(
            self.users["qo"],
            self.documents["QT-06"],
            legal_bases=[self.documents[c] for c in BY_CODE["QT-06"].legal_bases],
            reason="Cập nhật căn cứ pháp lý theo Nghị định số 118/2025/NĐ-CP.",
        )

    def withdraw_software_instruction(self):
        services.withdraw_document(
            self.users["qo"],
            self.documents["HD-01-QT-06"],
            password=self.password,
            reason="Từ ngày 01/7/2025 hồ sơ được tiếp nhận trên Hệ thống thông tin giải quyết "
            "thủ tục hành chính của tỉnh; phần mềm Một cửa điện tử cũ ngừng sử dụng.",
        )

    def propose_birth_change(self):
        services.propose_change(
            self.users["staff"],
            self.documents["QT-07"],
            what="Bổ sung hướng dẫn liên thông đăng ký khai sinh, đăng ký thường trú và cấp thẻ bảo hiểm y tế cho "
            "trẻ em dưới 6 tuổi trên Cổng Dịch vụ công quốc gia.",
            why="Nhiều phụ huynh hỏi về thủ tục liên thông; quy trình hiện hành chưa có bước này nên mỗi công chức "
            "hướng dẫn một cách.",
        )

    def propose_ledger_change(self):
        self.declined = services.propose_change(
            self.users["staff"],
            self.documents["BM-06-QT-06"],
            what="Bỏ cột “Ký nhận” trong Sổ theo dõi hồ sơ.",
            why="Phần lớn hồ sơ đã trả kết quả trực tuyến.",
        )

    def decline_ledger_change(self):
        services.decline_change_request(
            self.users["qo"],
            self.declined,
            reason="Cột “Ký nhận” là bằng chứng trả kết quả trực tiếp theo Mẫu số 06 của Thông tư số 01/2018/TT-VPCP; "
            "hồ sơ trả trực tuyến ghi “trực tuyến” vào cột này.",
        )

    def _objectives_date(self):
        """The objectives of a year take effect on 10 January (last year's until late January)."""
        year = self.today.year if self.today >= dt.date(self.today.year, 1, 25) else self.today.year - 1
        return dt.date(year, 1, 10)
