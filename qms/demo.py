"""The demo commune: units after the 2025 two-tier reform, one account per role, its documents.

The documents (qms/documents/demo/) are generated .docx and .xlsx files with Vietnamese content, and
everything that happens to them goes through the document-control services with the demo password,
so that the signatures, the audit trail and the upload checks are the real ones. The story, with
dates counted back from the day the demo is loaded:

- the policy, the objectives of the year, the system procedures QT-01..QT-05, and the procedures of
  the one-stop shop (QT-06) and of four administrative procedures (QT-07..QT-10), with their forms,
  effective; the forms and the procedures the one-stop staff use are distributed to the one-stop
  unit, so its staff get "read and understood" tasks (a few are left open);
- QT-06 and its receipt slip BM-01-QT-06 at issue 02, issue 01 superseded: Decree 118/2025/NĐ-CP
  replaced Decree 61/2018/NĐ-CP and the one-stop section became the Public Administrative Service
  Centre; the decree's entry is marked replaced and QT-06's legal bases follow;
- the instruction for the former one-stop software (HD-01-QT-06) withdrawn, so obsolete;
- QT-04 effective for more than its review interval, so overdue for periodic review; QT-02 due soon;
  QT-01 older but confirmed "reviewed, still valid";
- QT-10 issue 02 submitted and waiting for its review; BM-02-QT-06 issue 02 reviewed and waiting for
  the approver; QT-11 (death registration) a first draft;
- one open change request from the staff, and one declined.

Separation of duties holds throughout: procedures and forms are drafted by one quality officer,
reviewed by the leader and approved by the other quality officer; the policy and objectives are
reviewed by a quality officer and approved by the leader. That needs two quality officers (qo, qo2).
"""
import datetime as dt
import secrets

from sqlalchemy import select

from qms.auth.models import Commune
from qms.auth.services import create_commune, create_unit, create_user
from qms.core.calendar import local_today
from qms.db import db
from qms.documents import services
from qms.documents.demo import system
from qms.documents.demo.catalogue import BY_CODE, EXTERNAL_BY_CODE, INTERNAL_DOCUMENTS, based_on
from qms.documents.demo.external import reference_sheet
from qms.documents.demo.parts import Control, Person, Revision

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
    """Create the demo commune with its units and accounts, then its documents (see the module's
    docstring). `today` is the day the story is told from (default: today in the commune)."""
    commune = create_commune(None, **DEMO_COMMUNE)
    units = {code: create_unit(None, commune, code=code, name=name, is_one_stop=one_stop)
             for code, name, one_stop in DEMO_UNITS}
    users = {}
    for username, full_name, role, unit_codes in DEMO_USERS:
        users[username] = create_user(None, commune, username=username, full_name=full_name, password=password,
                                      roles=[role], unit_ids=[units[c].id for c in unit_codes])
    DocumentStory(commune, units, users, password, today or local_today()).tell()
    return commune


# --- the documents -------------------------------------------------------------------------------

# QT-06 rested on Decree 61/2018 until Decree 118/2025 replaced it (issue 02).
EARLIER_LEGAL_BASES = {"QT-06": ("NĐ-61-2018", "TT-01-2018-VPCP")}

# Acknowledgment tasks left open, to show on the home pages and in "who has not acknowledged".
OPEN_ACKNOWLEDGMENTS = {("QT-06", 2): {"staff"}, ("BM-01-QT-06", 2): {"staff"}, ("BM-05-QT-06", 1): {"staff"},
                        ("QT-05", 1): {"leader", "admin"}, ("MT-01", 1): {"admin"}}

FIRST_ISSUE = "Ban hành lần đầu"
WHOLE = "Toàn bộ tài liệu"


class DocumentStory:
    """Creates the demo commune's documents and walks their versions through the services."""

    def __init__(self, commune, units, users, password, today):
        self.commune, self.units, self.users, self.password, self.today = commune, units, users, password, today
        self.documents = {}
        self.history = {}  # code -> [Revision]

    def days_ago(self, days):
        return self.today - dt.timedelta(days=days)

    def person(self, username):
        return Person(self.users[username].full_name, DEMO_POSITIONS[username])

    # --- registration ------------------------------------------------------------------------

    def register_external(self, spec, based_on):
        qo = self.users["qo"]
        document = services.create_document(
            qo, self.commune, code=spec.code, title=spec.title, kind="external", field=spec.field,
            owning_unit=self.units["VP"], owner=qo, issuer=spec.issuer, number=spec.number,
            issued_on=spec.issued_on, effective_on=spec.effective_on, legal_status=spec.legal_status,
            retention_years=None)
        data = reference_sheet(self.commune.name, spec, status=spec.legal_status, based_on=based_on,
                               registered_on=self.today, registered_by=qo.full_name)
        services.register_external_file(qo, document, filename=f"Phiếu theo dõi {spec.number}.docx".replace("/", "-"),
                                        data=data, change_summary="Đăng ký văn bản vào danh mục")
        self.documents[spec.code] = document
        return document

    def create(self, spec, *, title=None, legal_bases=None):
        document = services.create_document(
            self.users["qo"], self.commune, code=spec.code, title=title or spec.title, kind=spec.kind,
            field=spec.field, owning_unit=self.units[spec.unit], owner=self.users[spec.owner],
            parent=self.documents[spec.parent] if spec.parent else None,
            legal_bases=[self.documents[c] for c in (legal_bases or spec.legal_bases)], access=spec.access,
            retention_years=spec.retention_years, distribution=[(self.units[u], None) for u in spec.distribution])
        self.documents[spec.code] = document
        return document

    # --- versions ----------------------------------------------------------------------------

    def issue(self, code, *, author, reviewer, approver, effective_on=None, stop="effective", summary=FIRST_ISSUE,
              where=WHOLE, reason=""):
        """Draft the next issue of a document with its rendered file, then submit, review and approve it
        as far as `stop` ("draft", "in_review", "reviewed", "effective"); approved with an effective
        date in the past, it is effective at once (and its predecessor superseded)."""
        spec, document = BY_CODE[code], self.documents[code]
        issue_no = len(self.history.get(code, ())) + 1
        date = effective_on if stop == "effective" else None
        revisions = (*self.history.get(code, ()), Revision(issue_no, date, where, summary))
        control = Control(commune=self.commune.name, code=code, title=document.title, issue_no=issue_no,
                          issued_on=date, drafted=self.person(author), reviewed=self.person(reviewer),
                          approved=self.person(approver), revisions=revisions)
        version = services.create_draft_version(self.users[author], document, filename=spec.filename,
                                                data=spec.render(control), change_summary=summary, reason=reason)
        self.history[code] = list(revisions)
        if stop == "draft":
            return version
        services.submit_for_review(self.users[author], version)
        if stop == "in_review":
            return version
        services.review_version(self.users[reviewer], version, password=self.password,
                                comment="Nội dung phù hợp, đề nghị phê duyệt.")
        if stop == "reviewed":
            return version
        services.approve_version(self.users[approver], version, password=self.password, effective_date=effective_on,
                                 today=self.today)
        self._acknowledge(code, version)
        return version

    def _acknowledge(self, code, version):
        """Those reached by the distribution read the new version, except the tasks left open."""
        left_open = OPEN_ACKNOWLEDGMENTS.get((code, version.issue_no), set())
        by_id = {user.id: name for name, user in self.users.items()}
        for user_id in sorted(services.distribution_user_ids(version.document)):
            if by_id.get(user_id) not in left_open:
                services.acknowledge_version(self.users[by_id[user_id]], version)

    # --- the story ---------------------------------------------------------------------------

    def tell(self):

        for spec in EXTERNAL_BY_CODE.values():
            earlier = tuple(code for code, bases in EARLIER_LEGAL_BASES.items() if spec.code in bases)
            self.register_external(spec, tuple(sorted({*based_on(spec.code), *earlier})))
        objectives_on = self._objectives_date()
        for spec in INTERNAL_DOCUMENTS:
            title = spec.title.format(year=system.objectives_year_of(objectives_on)) if "{year}" in spec.title \
                else None
            self.create(spec, title=title, legal_bases=EARLIER_LEGAL_BASES.get(spec.code))

        # Before the 2025 reform: the one-stop procedure, its receipt slip, the software instruction.
        before_reform = min(self.days_ago(600), dt.date(2025, 5, 15))
        for code in ("QT-06", "BM-01-QT-06", "HD-01-QT-06"):
            self.issue(code, author="qo", reviewer="leader", approver="qo2", effective_on=before_reform)

        # The system: the policy, the objectives of the year, the system procedures.
        self.issue("CS-01", author="qo", reviewer="qo2", approver="leader", effective_on=self.days_ago(280))
        self.issue("MT-01", author="qo", reviewer="qo2", approver="leader", effective_on=objectives_on)
        for code, days in (("QT-01", 400), ("QT-02", 345), ("QT-03", 320), ("QT-04", 430)):
            self.issue(code, author="qo", reviewer="leader", approver="qo2", effective_on=self.days_ago(days))
        services.confirm_still_valid(self.users["qo2"], services.current_version(self.documents["QT-01"]),
                                     password=self.password, today=self.days_ago(20),
                                     comment="Đã xem xét định kỳ: quy trình còn phù hợp, chưa cần sửa đổi.")

        # Decree 118/2025 replaces Decree 61/2018: the registry, QT-06 and its forms follow.
        reform = max(self.days_ago(150), dt.date(2025, 7, 1))
        services.update_document(self.users["qo"], self.documents["NĐ-61-2018"], legal_status="replaced",
                                 reason="Thay thế bởi Nghị định số 118/2025/NĐ-CP từ ngày 01/7/2025.")
        services.update_document(self.users["qo"], self.documents["QT-06"],
                                 legal_bases=[self.documents[c] for c in BY_CODE["QT-06"].legal_bases],
                                 reason="Cập nhật căn cứ pháp lý theo Nghị định số 118/2025/NĐ-CP.")
        self.issue("QT-06", author="qo", reviewer="leader", approver="qo2", effective_on=reform,
                   where="Mục 1, 2, 3, 5, 6, 7",
                   summary="Cập nhật căn cứ theo Nghị định số 118/2025/NĐ-CP thay thế Nghị định số 61/2018/NĐ-CP; "
                           "đổi Bộ phận Tiếp nhận và Trả kết quả thành Trung tâm Phục vụ hành chính công; bổ sung các "
                           "biểu mẫu BM-02 đến BM-06 theo Thông tư số 01/2018/TT-VPCP.",
                   reason="Nghị định số 118/2025/NĐ-CP có hiệu lực từ ngày 01/7/2025.")
        self.issue("BM-01-QT-06", author="qo", reviewer="leader", approver="qo2", effective_on=reform,
                   where="Tên đơn vị; mục 6; ghi chú",
                   summary="Đổi tên đơn vị tiếp nhận thành Trung tâm Phục vụ hành chính công; bổ sung hình thức nhận "
                           "kết quả và hướng dẫn tra cứu hồ sơ bằng mã hồ sơ.",
                   reason="Thực hiện Nghị định số 118/2025/NĐ-CP.")
        for n in range(2, 7):
            self.issue(f"BM-0{n}-QT-06", author="qo", reviewer="leader", approver="qo2", effective_on=reform)
        services.withdraw_document(self.users["qo"], self.documents["HD-01-QT-06"], password=self.password,
                                   reason="Từ ngày 01/7/2025 hồ sơ được tiếp nhận trên Hệ thống thông tin giải quyết "
                                          "thủ tục hành chính của tỉnh; phần mềm Một cửa điện tử cũ ngừng sử dụng.")

        # The administrative procedures, drafted by the civil-status officer.
        procedures_on = min(reform + dt.timedelta(days=14), self.today)
        for code in ("QT-07", "BM-01-QT-07", "QT-08", "BM-01-QT-08", "QT-09", "BM-01-QT-09", "QT-10",
                     "BM-01-QT-10"):
            self.issue(code, author="qo2", reviewer="leader", approver="qo", effective_on=procedures_on)
        # The risks register names the procedures above, so it follows them.
        self.issue("QT-05", author="qo", reviewer="leader", approver="qo2",
                   effective_on=min(procedures_on + dt.timedelta(days=7), self.today))

        # Work in progress.
        self.issue("QT-10", author="qo2", reviewer="leader", approver="qo", stop="in_review",
                   where="Mục 5.3, 5.9 (bước 1, bước 3)",
                   summary="Cho phép kiểm tra giấy tờ tùy thân qua ứng dụng VNeID / Cơ sở dữ liệu quốc gia về dân "
                           "cư; rút ngắn thời gian ký chứng thực từ 1 giờ xuống 45 phút.",
                   reason="Kết quả xem xét của lãnh đạo: giảm thời gian chờ của người dân.")
        self.issue("BM-02-QT-06", author="qo", reviewer="leader", approver="qo2", stop="reviewed",
                   where="Sau mục “Lý do”",
                   summary="Bổ sung cách nộp hồ sơ bổ sung (trực tiếp, bưu chính công ích, trực tuyến) và việc tính "
                           "lại thời hạn từ khi nhận đủ hồ sơ.",
                   reason="Đề nghị của Trung tâm Phục vụ hành chính công.")
        self.issue("QT-11", author="qo2", reviewer="leader", approver="qo", stop="draft")

        staff = self.users["staff"]
        services.propose_change(
            staff, self.documents["QT-07"],
            what="Bổ sung hướng dẫn liên thông đăng ký khai sinh, đăng ký thường trú và cấp thẻ bảo hiểm y tế cho "
                 "trẻ em dưới 6 tuổi trên Cổng Dịch vụ công quốc gia.",
            why="Nhiều phụ huynh hỏi về thủ tục liên thông; quy trình hiện hành chưa có bước này nên mỗi công chức "
                "hướng dẫn một cách.")
        declined = services.propose_change(
            staff, self.documents["BM-06-QT-06"], what="Bỏ cột “Ký nhận” trong Sổ theo dõi hồ sơ.",
            why="Phần lớn hồ sơ đã trả kết quả trực tuyến.")
        services.decline_change_request(
            self.users["qo"], declined,
            reason="Cột “Ký nhận” là bằng chứng trả kết quả trực tiếp theo Mẫu số 06 của Thông tư số 01/2018/TT-VPCP; "
                   "hồ sơ trả trực tuyến ghi “trực tuyến” vào cột này.")

    def _objectives_date(self):
        """The objectives of a year take effect on 10 January (last year's until late January)."""
        year = self.today.year if self.today >= dt.date(self.today.year, 1, 25) else self.today.year - 1
        return dt.date(year, 1, 10)
