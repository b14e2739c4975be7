"""The citizen's rating of the service once the result is returned (as the SIPAS survey asks it):
very satisfied, satisfied, neutral or dissatisfied, with an optional comment, given once per
dossier, at the desk (recorded by the officer who returned the result) or by the citizen on the
public lookup page. A "dissatisfied" rating with a comment is filed in the feedback box as a
complaint about the dossier, through the feedback box's service, and the quality officer triages
it there like any other complaint."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qms.audit.services import record_event
from qms.auth.models import Commune
from qms.core.calendar import to_local, utcnow
from qms.db import DomainError, db, enum_choice
from qms.dossiers import permissions as perm
from qms.dossiers.models import DossierRating, DossierStatus, Rating, RatingChannel
from qms.dossiers.services.common import require
from qms.feedback import services as feedback

COMMENT_MAX = 2000
# Where the feedback item came from, recorded on its event (its label: qms.dossiers.rating_labels).
FEEDBACK_REASON = "dissatisfied_rating"
# The complaint's text, in Vietnamese as the feedback box keeps what citizens write.
_COMPLAINT = "Đánh giá “Không hài lòng” về việc giải quyết hồ sơ {code} ({procedure}), {where}. Ý kiến: {comment}"
_WHERE = {
    RatingChannel.desk: "ghi nhận tại Bộ phận Một cửa khi trả kết quả",
    RatingChannel.lookup: "gửi từ trang tra cứu hồ sơ",
}


def rating_of(dossier) -> DossierRating | None:
    """The dossier's rating, or None."""
    return db.session.scalar(select(DossierRating).where(DossierRating.dossier_id == dossier.id))


def rate_dossier(actor, dossier, rating, comment="", via=RatingChannel.desk):
    """Record the citizen's rating of the returned dossier, once. via "desk": `actor` is the officer
    who returned the result (permissions.rate_refusal); via "lookup": the citizen on the public
    page, `actor` None (the page checked the code and the phone's digits). A "dissatisfied" rating
    with a comment is also filed in the feedback box as a complaint about the dossier, waiting for
    the quality officer's triage. Raises DomainError when the rating or channel is unknown, the
    actor may not record it, the result has not been returned yet, the dossier was rated already,
    or the comment is too long. Returns the DossierRating."""
    via = enum_choice(RatingChannel, via, _l("Say where the rating was given."))
    rating = enum_choice(Rating, rating, _l("Choose how satisfied the citizen is."))
    if dossier.status is not DossierStatus.returned:  # nobody returned it yet, nor may rate it
        raise DomainError(
            _l("The service can be rated once the result has been returned."), code="not_returned", status=409
        )
    if via is RatingChannel.desk:
        require(perm.rate_refusal(actor, dossier))
    elif actor is not None:
        raise DomainError(_l("A rating from the lookup page is the citizen's own."), code="forbidden", status=403)
    if rating_of(dossier) is not None:
        raise DomainError(_l("This dossier has already been rated."), code="already_rated", status=409)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(_l("The comment is too long (at most %(n)d characters).", n=COMMENT_MAX), code="too_long")
    now = utcnow()
    row = DossierRating(
        commune_id=dossier.commune_id,
        dossier_id=dossier.id,
        rating=rating,
        comment=comment,
        channel=via,
        returned_by_id=perm.returned_by_id(dossier),
        month=to_local(now).date().replace(day=1),
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # the rating of a dossier rated at the same moment elsewhere
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This dossier has already been rated."), code="already_rated", status=409) from None
    changes = {"rating": (None, rating), "rating_channel": (None, via)}
    if rating is Rating.dissatisfied and comment:
        item = feedback.receive_from_elsewhere(
            actor,
            db.session.get(Commune, dossier.commune_id),
            kind="complaint",
            message=_COMPLAINT.format(
                code=dossier.code, procedure=dossier.procedure_name, where=_WHERE[via], comment=comment
            ),
            dossier_code=dossier.code,
            reason=FEEDBACK_REASON,
        )
        row.feedback_item_id = item.id
        changes["feedback_item"] = (None, item.reference)
    # The comment stays off the trail (which keeps forever what it records): it is on the rating.
    record_event(
        actor,
        "dossier.rated",
        dossier,
        reason="lookup_page" if via is RatingChannel.lookup else "",
        changes=changes,
    )
    return row
