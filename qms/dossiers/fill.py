"""The one-stop forms filled from a dossier's data (Circular 01/2018/TT-VPCP: receipt and appointment
slip, request to supplement, refusal, apology and new return date, process control sheet, dossier
ledger), as Word files.

Which form is which is the commune's setting (services/forms.py: kind -> document code); the layout
is the form itself, a controlled document: the version in force of that code is read from document
control (documents.services.form_template, audited as a download) and filled by the one fill
mechanism (qms.core.fill). There is no built-in layout: without a version in force in Word (.docx)
the form cannot be filled, and the person is told which form to issue. Moving to another set of
forms (Circular 03/2025/TT-VPCP) is therefore a revision of the forms, or a change of the setting,
never a change of this code.

PLACEHOLDERS says, per form kind, which placeholders a template may hold and what each means (in
Vietnamese: the people who write the templates read them on the page of the one-stop forms). A
template uploaded for one of the commune's one-stop forms with any other placeholder is refused at
upload, naming it (check_template, registered with qms.core.fill when the application starts).

The forms are Vietnamese documents whatever the reader's language: every value is written in
Vietnamese words (KENH, TIEN_DO, TRANG_THAI, DONG), dates dd/mm/yyyy and times in Vietnam time.
The applicant's details are personal data: only those handling the dossier fill its forms, and the
reading is recorded (services.read_applicant); the ledger shows them only on the rows of dossiers
the reader handles, and only when its template asks for them (elsewhere "(ẩn)").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from qms.auth.models import Unit, User
from qms.core.calendar import format_date, local_today, to_local
from qms.core.exports import date_line, place_name
from qms.core.fill import Picture, fill_docx, placeholders
from qms.db import DomainError, db
from qms.documents import services as documents
from qms.dossiers import permissions as perm
from qms.dossiers import queries
from qms.dossiers.models import Channel, Dossier, DossierStatus, HandoverKind, Timeliness
from qms.dossiers.services import read_applicant
from qms.dossiers.services.forms import form_code, kinds_of_code

# --- the Vietnamese words of the forms -----------------------------------------------------------------

KENH = {Channel.in_person: "Trực tiếp", Channel.online: "Trực tuyến", Channel.post: "Qua dịch vụ bưu chính công ích"}
TIEN_DO = {Timeliness.early: "Trước hạn", Timeliness.on_time: "Đúng hạn", Timeliness.late: "Quá hạn"}
TRANG_THAI = {
    DossierStatus.in_progress: "Đang giải quyết",
    DossierStatus.supplement: "Chờ bổ sung hồ sơ",
    DossierStatus.result_ready: "Đã có kết quả",
    DossierStatus.returned: "Đã trả kết quả",
    DossierStatus.refused: "Từ chối giải quyết",
    DossierStatus.withdrawn: "Rút hồ sơ",
}
DONG = {
    HandoverKind.handover: "",
    HandoverKind.supplement_requested: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    HandoverKind.supplement_received: "Nhận hồ sơ bổ sung",
    HandoverKind.refused: "Từ chối giải quyết",
    HandoverKind.result_ready: "Có kết quả giải quyết",
    HandoverKind.returned: "Trả kết quả",
    HandoverKind.withdrawn: "Tổ chức, cá nhân rút hồ sơ",
    HandoverKind.extended: "Xin lỗi và hẹn lại ngày trả kết quả",
}
CITIZEN = "Tổ chức, cá nhân"
HIDDEN = "(ẩn)"  # the applicant's details on a ledger row of a dossier the reader does not handle
ONE_SET = "01"  # a dossier is one set of papers (số lượng hồ sơ: bộ)
QR_WIDTH_MM = 24
LEDGER_MAX_ROWS = 1000


# --- what each form may hold ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    meaning: str  # in Vietnamese, for whoever writes the template
    personal: bool = False  # the applicant's personal data


@dataclass(frozen=True)
class Rows:
    """A table row repeated per element: ``{{name.field}}`` in the row."""

    name: str
    meaning: str
    fields: tuple


@dataclass(frozen=True)
class FormKind:
    key: str
    label: object  # the form's name in the reader's language
    title: str  # its name in Vietnamese, as the form says it
    fields: tuple
    rows: tuple = ()

    @property
    def names(self) -> frozenset:
        """Every placeholder a template of this kind may hold."""
        return frozenset([f.name for f in self.fields] + [f"{r.name}.{f.name}" for r in self.rows for f in r.fields])


COMMON = (
    Field("ma_ho_so", "Mã hồ sơ"),
    Field("ten_thu_tuc", "Tên thủ tục hành chính"),
    Field("ma_thu_tuc", "Mã thủ tục hành chính (mã quốc gia, ví dụ 1.001193)"),
    Field("linh_vuc", "Lĩnh vực của thủ tục (Hộ tịch, Chứng thực...)"),
    Field("thoi_han_giai_quyet", "Thời hạn giải quyết theo quy định (“trong ngày” hoặc “02 ngày làm việc”)"),
    Field("ten_nguoi_nop", "Họ và tên người nộp hồ sơ (tổ chức, cá nhân)", personal=True),
    Field("so_dien_thoai", "Số điện thoại của người nộp hồ sơ", personal=True),
    Field("dia_chi", "Địa chỉ của người nộp hồ sơ", personal=True),
    Field("kenh", "Hình thức nộp hồ sơ (Trực tiếp, Trực tuyến, Qua dịch vụ bưu chính công ích)"),
    Field("ngay_tiep_nhan", "Ngày tiếp nhận hồ sơ (dd/mm/yyyy)"),
    Field("gio_tiep_nhan", "Giờ tiếp nhận hồ sơ (“09 giờ 30 phút”)"),
    Field("ngay_hen_tra", "Ngày hẹn trả kết quả đang có hiệu lực (dd/mm/yyyy)"),
    Field("nguoi_tiep_nhan", "Họ và tên công chức tiếp nhận hồ sơ"),
    Field("don_vi", "Đơn vị tiếp nhận hồ sơ (Trung tâm Phục vụ hành chính công...)"),
    Field("ten_xa", "Tên UBND xã (“UBND xã Hòa Bình”)"),
    Field("dia_danh", "Địa danh ghi ở dòng ngày tháng (“Hòa Bình”)"),
    Field("ngay_lap", "Ngày lập phiếu (dd/mm/yyyy): ngày của việc phiếu ghi lại"),
    Field("dia_danh_ngay", "Dòng địa danh, ngày tháng của phiếu (“Hòa Bình, ngày 07 tháng 12 năm 2026”)"),
    Field("nguoi_ky", "Họ và tên người ký phiếu"),
)

PLACEHOLDERS = {
    "receipt": FormKind(
        "receipt",
        _l("Receipt and appointment slip"),
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        COMMON
        + (
            Field("so_luong_ho_so", "Số lượng hồ sơ (bộ): “01”"),
            Field("ma_qr", "Mã QR dẫn tới trang tra cứu hồ sơ của công dân (hình, rộng 24 mm)"),
            Field("url_tra_cuu", "Địa chỉ trang tra cứu hồ sơ (mà mã QR dẫn tới)"),
        ),
        (
            Rows(
                "thanh_phan",
                "Thành phần hồ sơ đã nhận: một dòng của bảng cho mỗi giấy tờ",
                (Field("stt", "Số thứ tự"), Field("ten", "Tên giấy tờ")),
            ),
        ),
    ),
    "supplement": FormKind(
        "supplement",
        _l("Request to supplement"),
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        COMMON
        + (
            Field("ngay_yeu_cau", "Ngày yêu cầu bổ sung (dd/mm/yyyy)"),
            Field("ly_do_bo_sung", "Lý do, ghi chú của người yêu cầu bổ sung"),
        ),
        (
            Rows(
                "noi_dung_bo_sung",
                "Nội dung yêu cầu bổ sung: một dòng của bảng cho mỗi nội dung",
                (Field("stt", "Số thứ tự"), Field("noi_dung", "Nội dung cần bổ sung, hoàn thiện")),
            ),
        ),
    ),
    "refusal": FormKind(
        "refusal",
        _l("Refusal"),
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        COMMON
        + (
            Field("ngay_tu_choi", "Ngày từ chối (dd/mm/yyyy)"),
            Field("ly_do_tu_choi", "Lý do từ chối tiếp nhận, giải quyết hồ sơ"),
        ),
    ),
    "apology": FormKind(
        "apology",
        _l("Apology and new return date"),
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        COMMON
        + (
            Field("ngay_hen_cu", "Ngày hẹn trả kết quả trước khi hẹn lại (dd/mm/yyyy)"),
            Field("ngay_hen_moi", "Ngày hẹn trả kết quả mới (dd/mm/yyyy)"),
            Field("ly_do_xin_loi", "Lý do chậm trễ"),
            Field("ngay_ky", "Ngày lãnh đạo ký phiếu xin lỗi (dd/mm/yyyy)"),
        ),
    ),
    "control_sheet": FormKind(
        "control_sheet",
        _l("Process control sheet"),
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        COMMON
        + (
            Field("trang_thai", "Tình trạng hồ sơ (Đang giải quyết, Đã trả kết quả...)"),
            Field("ket_qua", "Kết quả giải quyết hồ sơ: Trước hạn, Đúng hạn hoặc Quá hạn (khi đã có kết quả)"),
        ),
        (
            Rows(
                "kiem_soat",
                "Các lần giao, nhận hồ sơ: một dòng của bảng cho mỗi lần, theo thứ tự",
                (
                    Field("so", "Số thứ tự của lần giao, nhận"),
                    Field("buoc", "Bước của quy trình mà lần giao, nhận kết thúc"),
                    Field("ben_giao", "Người giao hồ sơ"),
                    Field("ben_nhan", "Người nhận hồ sơ"),
                    Field("thoi_gian", "Thời gian giao, nhận (“09 giờ 30 phút, ngày 07/12/2026”)"),
                    Field("ghi_chu", "Việc đã làm (yêu cầu bổ sung, trả kết quả...) và ghi chú của người giao"),
                    Field("ket_qua", "Kết quả của bước so với thời gian cho phép: Trước hạn, Đúng hạn, Quá hạn"),
                ),
            ),
        ),
    ),
    "ledger": FormKind(
        "ledger",
        _l("Dossier ledger"),
        "Sổ theo dõi hồ sơ",
        (
            Field("ten_xa", "Tên UBND xã (“UBND xã Hòa Bình”)"),
            Field("dia_danh", "Địa danh ghi ở dòng ngày tháng (“Hòa Bình”)"),
            Field("don_vi", "Đơn vị tiếp nhận hồ sơ của xã"),
            Field("tu_ngay", "Ngày đầu của kỳ theo dõi (dd/mm/yyyy)"),
            Field("den_ngay", "Ngày cuối của kỳ theo dõi (dd/mm/yyyy)"),
            Field("nam", "Năm của kỳ theo dõi"),
            Field("so_ho_so", "Số hồ sơ trong sổ"),
            Field("ngay_lap", "Ngày in sổ (dd/mm/yyyy)"),
            Field("dia_danh_ngay", "Dòng địa danh, ngày tháng in sổ"),
            Field("nguoi_lap", "Họ và tên người in sổ"),
        ),
        (
            Rows(
                "so_theo_doi",
                "Các hồ sơ tiếp nhận trong kỳ: một dòng của bảng cho mỗi hồ sơ, theo thứ tự tiếp nhận",
                (
                    Field("stt", "Số thứ tự"),
                    Field("ma_ho_so", "Mã hồ sơ"),
                    Field("ten_thu_tuc", "Tên thủ tục hành chính"),
                    Field("ma_thu_tuc", "Mã thủ tục hành chính"),
                    Field("so_luong", "Số lượng hồ sơ (bộ)"),
                    Field("ten_nguoi_nop", "Tên tổ chức, cá nhân nộp hồ sơ (chỉ với người xử lý hồ sơ)", personal=True),
                    Field("dia_chi", "Địa chỉ (chỉ với người xử lý hồ sơ)", personal=True),
                    Field("so_dien_thoai", "Số điện thoại (chỉ với người xử lý hồ sơ)", personal=True),
                    Field("co_quan", "Cơ quan chủ trì giải quyết"),
                    Field("kenh", "Hình thức nộp hồ sơ"),
                    Field("nhan_ho_so", "Thời gian nhận hồ sơ"),
                    Field("hen_tra", "Ngày hẹn trả kết quả (và ngày hẹn lại, nếu có)"),
                    Field("chuyen_ho_so", "Thời gian chuyển hồ sơ đến người giải quyết"),
                    Field("nhan_ket_qua", "Thời gian có kết quả giải quyết"),
                    Field("tra_ket_qua", "Thời gian trả kết quả cho tổ chức, cá nhân"),
                    Field("ky_nhan", "Ký nhận: “Trực tuyến” với hồ sơ trả trực tuyến, để trống để ký tay"),
                    Field("trang_thai", "Tình trạng hồ sơ"),
                    Field("ket_qua", "Trước hạn, Đúng hạn, Quá hạn (khi đã có kết quả)"),
                    Field("ghi_chu", "Ghi chú: lý do từ chối, rút hồ sơ, hẹn lại ngày trả"),
                ),
            ),
        ),
    ),
}
KINDS = tuple(PLACEHOLDERS)
DOSSIER_KINDS = ("receipt", "supplement", "refusal", "apology", "control_sheet")


def unknown_placeholders(kind: str, names) -> list:
    """The names a template of `kind` may not hold, sorted."""
    return sorted(set(names) - PLACEHOLDERS[kind].names)


def check_template(commune, document_code, names):
    """The template check registered with qms.core.fill: a new file of one of the commune's
    one-stop forms may hold only the placeholders of its kind (of every kind the code serves)."""
    kinds = kinds_of_code(commune, document_code) if commune is not None else []
    if not kinds:
        return None
    allowed = frozenset().union(*(PLACEHOLDERS[k].names for k in kinds))
    unknown = sorted(set(names) - allowed)
    if not unknown:
        return None
    return _l(
        "The template has unknown placeholders: %(names)s (the form %(code)s is the %(form)s of the one-stop "
        "shop; the placeholders it may hold are listed on the page of the one-stop forms).",
        names=", ".join(f"{{{{{name}}}}}" for name in unknown),
        code=document_code,
        form=" / ".join(PLACEHOLDERS[k].title for k in kinds),
    )


# --- the QR code of the citizens' lookup -------------------------------------------------------------


def qr_png(text: str) -> bytes:
    """A QR code of `text` as PNG (error correction M, a quiet zone of 2 modules)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


# --- values --------------------------------------------------------------------------------------------


def _clock(value: dt.datetime | None) -> str:
    """ "09 giờ 30 phút" in Vietnam time."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{local:%H} giờ {local:%M} phút"


def _moment(value: dt.datetime | None) -> str:
    """ "09 giờ 30 phút, ngày 07/12/2026" in Vietnam time."""
    return f"{_clock(value)}, ngày {format_date(value)}" if value is not None else ""


def _short(value: dt.datetime | None) -> str:
    """ "09:30 07/12/2026" in Vietnam time (a ledger's narrow columns)."""
    return f"{to_local(value):%H:%M %d/%m/%Y}" if value is not None else ""


def _name(user, written="") -> str:
    return user.full_name if user is not None else written or ""


def time_limit_words(process) -> str:
    if not process.working_days:
        return "trong ngày"
    return f"{process.working_days:02d} ngày làm việc"


def _local_day(value: dt.datetime | None) -> dt.date:
    return to_local(value).date() if value is not None else local_today()


def dossier_values(dossier, commune, applicant, *, day: dt.date, signer: str = "") -> dict:
    """The placeholders every form of a dossier shares (COMMON), `day` being the date of what the
    form records; `applicant`: services.Applicant (read by whoever fills the form)."""
    process = dossier.process_map.process
    place = place_name(commune)
    return {
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": process.name,
        "ma_thu_tuc": process.code,
        "linh_vuc": process.field,
        "thoi_han_giai_quyet": time_limit_words(process),
        "ten_nguoi_nop": applicant.name,
        "so_dien_thoai": applicant.phone,
        "dia_chi": applicant.address,
        "kenh": KENH[dossier.channel],
        "ngay_tiep_nhan": format_date(dossier.received_at),
        "gio_tiep_nhan": _clock(dossier.received_at),
        "ngay_hen_tra": format_date(dossier.due_date),
        "nguoi_tiep_nhan": _name(dossier.received_by),
        "don_vi": dossier.unit.name if dossier.unit is not None else "",
        "ten_xa": commune.name,
        "dia_danh": place,
        "ngay_lap": format_date(day),
        "dia_danh_ngay": date_line(place, day),
        "nguoi_ky": signer,
    }


def _line_by(dossier, kind):
    """The last control-sheet line of `kind`, or None."""
    return next((h for h in reversed(queries.control_sheet(dossier)) if h.kind is kind), None)


def receipt_values(dossier, commune, applicant, *, url: str) -> dict:
    values = dossier_values(
        dossier, commune, applicant, day=_local_day(dossier.received_at), signer=_name(dossier.received_by)
    )
    values.update(
        so_luong_ho_so=ONE_SET,
        ma_qr=Picture(qr_png(url), QR_WIDTH_MM),
        url_tra_cuu=url,
        thanh_phan=[{"stt": i, "ten": item} for i, item in enumerate(dossier.components or [], start=1)],
    )
    return values


def supplement_values(dossier, commune, applicant) -> dict:
    line = _line_by(dossier, HandoverKind.supplement_requested)
    values = dossier_values(
        dossier,
        commune,
        applicant,
        day=_local_day(dossier.supplement_requested_at),
        signer=_name(line.from_user, line.from_name) if line else "",
    )
    values.update(
        ngay_yeu_cau=format_date(dossier.supplement_requested_at),
        ly_do_bo_sung=line.notes if line else "",
        noi_dung_bo_sung=[
            {"stt": i, "noi_dung": item} for i, item in enumerate(dossier.supplement_items or [], start=1)
        ],
    )
    return values


def refusal_values(dossier, commune, applicant) -> dict:
    line = _line_by(dossier, HandoverKind.refused)
    values = dossier_values(
        dossier,
        commune,
        applicant,
        day=_local_day(dossier.completed_at),
        signer=_name(line.from_user, line.from_name) if line else "",
    )
    values.update(ngay_tu_choi=format_date(dossier.completed_at), ly_do_tu_choi=dossier.refusal_reason)
    return values


def apology_values(dossier, commune, applicant) -> dict:
    signer = db.session.get(User, dossier.apology_signed_by_id) if dossier.apology_signed_by_id else None
    values = dossier_values(
        dossier, commune, applicant, day=_local_day(dossier.apology_signed_at), signer=_name(signer)
    )
    values.update(
        ngay_hen_cu=format_date(queries.original_due_date(dossier)),
        ngay_hen_moi=format_date(dossier.apology_due_date),
        ly_do_xin_loi=dossier.apology_reason,
        ngay_ky=format_date(dossier.apology_signed_at),
    )
    return values


def control_rows(dossier) -> list[dict]:
    """The control sheet's lines as the form's rows (kiem_soat)."""
    steps = {s.id: s.name for s in dossier.process_map.process.steps}
    rows = []
    for line in queries.control_sheet(dossier):
        receiver = _name(line.to_user, line.to_name)
        if not receiver and line.kind in (HandoverKind.returned, HandoverKind.supplement_requested):
            receiver = CITIZEN
        what = DONG[line.kind]
        rows.append(
            {
                "so": line.seq,
                "buoc": steps.get(line.step_id, ""),
                "ben_giao": _name(line.from_user, line.from_name),
                "ben_nhan": receiver,
                "thoi_gian": _moment(line.at),
                "ghi_chu": ": ".join(part for part in (what, line.notes) if part),
                "ket_qua": TIEN_DO.get(line.timeliness, ""),
            }
        )
    return rows


def control_sheet_values(dossier, commune, applicant) -> dict:
    values = dossier_values(
        dossier, commune, applicant, day=_local_day(dossier.received_at), signer=_name(dossier.received_by)
    )
    values.update(
        trang_thai=TRANG_THAI[dossier.status],
        ket_qua=TIEN_DO.get(dossier.timeliness, ""),
        kiem_soat=control_rows(dossier),
    )
    return values


# --- filling -------------------------------------------------------------------------------------------

AVAILABLE_WHEN = {
    "supplement": (
        lambda d: d.supplement_requested_at is not None,
        _l("No supplement was requested for this dossier."),
    ),
    "refusal": (lambda d: d.status is DossierStatus.refused, _l("This dossier was not refused.")),
    "apology": (lambda d: d.apology_signed_at is not None, _l("No apology letter was signed for this dossier.")),
}


def available_kinds(dossier) -> list[str]:
    """The forms of the dossier as it stands: the receipt and control sheet always, the others
    once what they record has happened."""
    return [k for k in DOSSIER_KINDS if k not in AVAILABLE_WHEN or AVAILABLE_WHEN[k][0](dossier)]


def template_of(actor, commune, kind) -> tuple[str, bytes]:
    """The form code of `kind` and the bytes of its version in force (read as a download of that
    version, audited). Raises DomainError (409) when the form has no version in force in Word."""
    code = form_code(commune, kind)
    template = documents.form_template(actor, commune, code, purpose=f"one_stop_{kind}")
    if template is None:
        raise DomainError(
            _l(
                "The form %(code)s (%(form)s) has no version in force as a Word file (.docx) that you may "
                "download: the quality officer issues it in document control, or names another form on the "
                "page of the one-stop forms.",
                code=code,
                form=PLACEHOLDERS[kind].title,
            ),
            code="no_template",
            status=409,
        )
    return code, template


def fill_dossier_form(actor, dossier, kind, *, url: str = "") -> tuple[str, bytes]:
    """The dossier's form `kind` (DOSSIER_KINDS) filled from the version in force of the commune's
    form of that kind: (form code, .docx bytes). `url`: the dossier's address on the citizens'
    lookup page (views/lookup.py lookup_url), which the receipt's QR code holds. Only those handling the
    dossier fill its forms (they carry personal
    data); the template's reading is recorded as a download, the applicant's as a reading of
    personal data. Raises DomainError: 403 for anyone else, 409 when the form does not apply yet
    or has no version in force."""
    if kind not in DOSSIER_KINDS:
        raise DomainError(_l("There is no such form."), code="not_found", status=404)
    if not perm.can_see_applicant(actor, dossier):
        raise DomainError(
            _l("The one-stop forms of a dossier carry the applicant's details: only those handling it fill them."),
            code="forbidden",
            status=403,
        )
    if kind in AVAILABLE_WHEN and not AVAILABLE_WHEN[kind][0](dossier):
        raise DomainError(AVAILABLE_WHEN[kind][1], code="not_applicable", status=409)
    commune = actor.commune
    code, template = template_of(actor, commune, kind)
    applicant = read_applicant(actor, dossier)
    if kind == "receipt":
        values = receipt_values(dossier, commune, applicant, url=url)
    else:
        values = {
            "supplement": supplement_values,
            "refusal": refusal_values,
            "apology": apology_values,
            "control_sheet": control_sheet_values,
        }[kind](dossier, commune, applicant)
    return code, fill_docx(template, values)


# --- the ledger ----------------------------------------------------------------------------------------


def _ledger_dossiers(commune_id, filters: queries.LedgerFilters):
    """The dossiers of the ledger's filters (the ledger page's), oldest receipt first as a ledger is
    written, with what their rows show read with them."""
    return (
        queries.ledger_query(commune_id, filters)
        .options(joinedload(Dossier.process_map), selectinload(Dossier.handovers))
        .order_by(None)
        .order_by(Dossier.received_at, Dossier.id)
    )


def ledger_row(index, dossier, commune, applicant) -> dict:
    """One dossier as a row of the ledger (so_theo_doi); `applicant` None: its details are hidden."""
    handed = next((h for h in dossier.handovers if h.kind is HandoverKind.handover), None)
    due = format_date(dossier.due_date)
    if dossier.apology_due_date is not None:
        due = f"{due} (hẹn lại)"
    notes = []
    if dossier.refusal_reason:
        notes.append(f"Từ chối: {dossier.refusal_reason}")
    if dossier.withdraw_reason:
        notes.append(f"Rút hồ sơ: {dossier.withdraw_reason}")
    if dossier.apology_signed_at is not None:
        notes.append(f"Phiếu xin lỗi ngày {format_date(dossier.apology_signed_at)}: {dossier.apology_reason}")
    returned = dossier.status is DossierStatus.returned
    return {
        "stt": index,
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": dossier.process_map.process.name,
        "ma_thu_tuc": dossier.process_map.process.code,
        "so_luong": ONE_SET,
        "ten_nguoi_nop": applicant.name if applicant else HIDDEN,
        "dia_chi": applicant.address if applicant else HIDDEN,
        "so_dien_thoai": applicant.phone if applicant else HIDDEN,
        "co_quan": commune.name,
        "kenh": KENH[dossier.channel],
        "nhan_ho_so": _short(dossier.received_at),
        "hen_tra": due,
        "chuyen_ho_so": _short(handed.at) if handed else "",
        "nhan_ket_qua": _short(dossier.result_ready_at),
        "tra_ket_qua": _short(dossier.completed_at) if returned else "",
        "ky_nhan": "Trực tuyến" if returned and dossier.channel is Channel.online else "",
        "trang_thai": TRANG_THAI[dossier.status],
        "ket_qua": TIEN_DO.get(dossier.timeliness, ""),
        "ghi_chu": "; ".join(notes),
    }


def ledger_period(filters: queries.LedgerFilters, today: dt.date | None = None):
    """The ledger's period: the filters' one, else this month up to today (a ledger is printed for
    a period); the filters with that period."""
    today = today or local_today()
    start = filters.received_from or (filters.received_to or today).replace(day=1)
    end = filters.received_to or max(today, start)
    return start, end, dataclasses.replace(filters, received_from=start, received_to=end)


def fill_ledger(actor, filters: queries.LedgerFilters) -> tuple[str, bytes]:
    """The ledger (sổ theo dõi hồ sơ) of the dossiers the filters choose in their period (this month
    when they name none), filled from the version in force of the commune's ledger form: (form code,
    .docx bytes). Everyone of the commune may print it; the applicants' details are written only on
    the rows of dossiers `actor` handles and only when the template asks for them, each such
    reading recorded; elsewhere they read HIDDEN. Raises DomainError: 409 without a ledger form in
    force, 400 for a period of more than LEDGER_MAX_ROWS dossiers."""
    commune = actor.commune
    start, end, filters = ledger_period(filters)
    stmt = _ledger_dossiers(commune.id, filters)
    count = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if count > LEDGER_MAX_ROWS:
        raise DomainError(
            _l(
                "%(count)s dossiers were received in this period; a printed ledger holds at most %(max)s. "
                "Choose a shorter period.",
                count=count,
                max=LEDGER_MAX_ROWS,
            ),
            code="too_many",
        )
    code, template = template_of(actor, commune, "ledger")
    held = placeholders(template)
    asks_personal = any(f"so_theo_doi.{f.name}" in held for f in PLACEHOLDERS["ledger"].rows[0].fields if f.personal)
    rows = []
    for index, dossier in enumerate(db.session.scalars(stmt).unique(), start=1):
        applicant = read_applicant(actor, dossier) if asks_personal and perm.handles(actor, dossier) else None
        rows.append(ledger_row(index, dossier, commune, applicant))
    today = local_today()
    place = place_name(commune)
    values = {
        "ten_xa": commune.name,
        "dia_danh": place,
        "don_vi": _one_stop_unit_name(commune),
        "tu_ngay": format_date(start),
        "den_ngay": format_date(end),
        "nam": str(start.year) if start.year == end.year else f"{start.year}–{end.year}",
        "so_ho_so": str(len(rows)),
        "ngay_lap": format_date(today),
        "dia_danh_ngay": date_line(place, today),
        "nguoi_lap": actor.full_name,
        "so_theo_doi": rows,
    }
    return code, fill_docx(template, values)


def _one_stop_unit_name(commune) -> str:
    """The name of the commune's one-stop unit ("" when it has none)."""
    return (
        db.session.scalar(
            select(Unit.name)
            .where(Unit.commune_id == commune.id, Unit.is_one_stop.is_(True), Unit.is_active.is_(True))
            .order_by(Unit.id)
            .limit(1)
        )
        or ""
    )
