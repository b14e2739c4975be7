"""URL values for the access matrix (tests/core/test_access_matrix.py): extend this when you add routes.

The matrix requests every rule of app.url_map as anonymous, as a user without a role and as each
role, so it must fill in every URL argument with a real record. It starts from `world` (the
fixture in tests/conftest.py: communes "a" and "b", each with world[side]["commune"], ["unit"] and
["users"][role], user names a_<role> / b_<role>), runs every function of SAMPLE_BUILDERS on it,
then asks URL_SAMPLES for each argument of a rule:

    URL_SAMPLES[argument name](world, side) -> the value that names a record of commune `side`

What the matrix asserts, per rule:
  * anonymous -> 302 to /login (pages) or 401 JSON (/api/v1), unless the view is @public;
  * a role outside the view's declaration -> 403, and nothing changes;
  * a role inside it -> neither 403 nor 5xx, using commune a's records; a GET changes nothing;
  * a user of commune b with an allowed role, given commune a's record -> 404 (or 403), and nothing
    changes (for every rule with an argument that names a record, i.e. not in NOT_RECORDS).
A rule with an argument missing here fails the matrix with a message naming it.

Adding an area (document control, say) takes three steps, all in this file or imported into it:

1. A builder creating your records for both communes through your services, committed:

       def add_documents(world):
           from qms.documents.services import create_document
           for side in ("a", "b"):
               qo = world[side]["users"]["quality_officer"]
               world[side]["document"] = create_document(qo, code="QT-01", title="...")
           db.session.commit()

2. Registration of the builder with the arguments it serves:

       register_samples(add_documents,
                        document_id=lambda world, side: world[side]["document"].id,
                        code=lambda world, side: world[side]["document"].code)

   Put the records in the state where the rule applies (a version in review for "approve"), so
   that an allowed role really gets past the declaration.

3. Only if an object-level rule refuses an allowed role on purpose (the author may not approve
   their own version), list it in MAY_REFUSE with the reason; the matrix then accepts its 403.

Records a builder creates must not be the users the matrix signs in as (world[side]["users"]):
requests that disable, reset or change a record must not sign out the next requester. The
"subject" account below exists for that.
"""
from qms.auth import services
from qms.db import db

URL_SAMPLES = {}
SAMPLE_BUILDERS = []

# Arguments whose value does not name a record owned by a commune: a static file's name, and the
# audit trail's record-history filters, which only ever search the viewer's own commune's events
# (test_access_matrix checks that commune b sees none of a's events there).
NOT_RECORDS = {"filename", "entity_type", "entity_id"}

# (endpoint, role) -> why an object-level rule may refuse that allowed role with 403.
MAY_REFUSE = {}


def register_samples(builder=None, **samples):
    """Add URL argument samples (name=function(world, side)) and the builder making their records."""
    clash = set(samples) & set(URL_SAMPLES)
    if clash:
        raise ValueError(f"URL argument(s) {sorted(clash)} already have a sample")
    URL_SAMPLES.update(samples)
    if builder is not None and builder not in SAMPLE_BUILDERS:
        SAMPLE_BUILDERS.append(builder)


def build_world(world):
    """Run every builder on `world` (after the conftest fixture has made communes and users)."""
    for builder in SAMPLE_BUILDERS:
        builder(world)
    return world


# --- accounts and administration --------------------------------------------------------------

def add_accounts(world):
    """Per commune, a staff "subject" whose account the administration routes act on, with an API
    token (revoked only by its owner, so other users get 404 for it)."""
    for side in ("a", "b"):
        commune = world[side]["commune"]
        subject = services.create_user(None, commune, username=f"{side}_subject", full_name=f"{side} subject",
                                       password="Subject-Password-2026", roles=["staff"],
                                       unit_ids=[world[side]["unit"].id])
        token, _plain = services.create_api_token(subject, subject, "matrix")
        world[side]["subject"], world[side]["subject_token"] = subject, token
    db.session.commit()


register_samples(
    add_accounts,
    user_id=lambda world, side: world[side]["subject"].id,
    unit_id=lambda world, side: world[side]["unit"].id,
    token_id=lambda world, side: world[side]["subject_token"].id,
    entity_type=lambda world, side: "users",
    entity_id=lambda world, side: world[side]["subject"].id,
    filename=lambda world, side: "qms.css",
)
