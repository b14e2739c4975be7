"""The JSON API of dossiers under /api/v1/dossiers: the same rules and messages as the pages,
because both call the same services.

Receiving dossiers, one or a batch whose items each stand alone; the ledger (filtered, walked with a
cursor); one dossier whole with its process and control sheet, and the applicant's details for those
handling it, each reading recorded (register.py); one POST per step of a dossier (steps.py). The
body of a request is read field by field (body.py); the JSON of a dossier and its OpenAPI schemas
are in shapes.py. Refusals are DomainErrors, which qms/errors.py turns into {"error", "message"}
with their status: 400 for a bad body, 403 for a step that is not the user's (every write of an
auditor, by qms.core.access), 404 for another commune's dossier, 409 for a dossier not where the
step applies. Writes go through the services, which flush; the request's unit of work commits once.
"""

from qms.dossiers.api import monitoring, register, steps  # noqa: F401  (their routes, on the API blueprint)
