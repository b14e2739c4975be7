"""Labels of the citizens' lookup and ratings (see qms.core.labels): the ratings and where they were
given, a dossier's status as the citizen reads it, and what the trail shows of a rating."""

from flask_babel import lazy_gettext as _l

from qms.core.labels import register
from qms.dossiers.models import DossierStatus, Rating, RatingChannel

RATING_LABELS = {
    Rating.very_satisfied: _l("Very satisfied"),
    Rating.satisfied: _l("Satisfied"),
    Rating.neutral: _l("Neutral"),
    Rating.dissatisfied: _l("Dissatisfied"),
}
RATING_CHANNEL_LABELS = {
    RatingChannel.desk: _l("At the desk"),
    RatingChannel.lookup: _l("On the lookup page"),
}
# A dossier's status as the lookup page tells the citizen (addressed to them, saying what to do).
CITIZEN_STATUS_LABELS = {
    DossierStatus.in_progress: _l("Being handled by the commune"),
    DossierStatus.supplement: _l("Waiting for you to supplement the dossier: please contact the one-stop shop"),
    DossierStatus.result_ready: _l("The result is ready: you may collect it at the one-stop shop"),
    DossierStatus.returned: _l("The result has been returned to you"),
    DossierStatus.refused: _l("Refused: please contact the one-stop shop for the reason"),
    DossierStatus.withdrawn: _l("Withdrawn at your request"),
}

register(
    actions={"dossier.rated": _l("Service rated by the citizen")},
    fields={
        "rating": _l("Citizen's rating"),
        "rating_channel": _l("Where it was rated"),
        "feedback_item": _l("Filed in the feedback box as"),
    },
    values={
        "rating": {key.value: label for key, label in RATING_LABELS.items()},
        "rating_channel": {key.value: label for key, label in RATING_CHANNEL_LABELS.items()},
    },
    reasons={
        "lookup_page": _l("Given by the citizen on the public lookup page"),
        "dissatisfied_rating": _l('Filed from a citizen\'s "dissatisfied" rating of a dossier, with a comment'),
    },
)
