"""The JSON API of nonconformities under /api/v1/nonconformities: the same rules, gates and messages
as the pages, because both call the same services.

The register (filtered, walked with a cursor), reporting an NC, one NC whole, evidence files
(register.py), and one POST per step of an NC (steps.py). The body of a request is read field by
field (body.py); the JSON of an NC and its OpenAPI schemas are in shapes.py. Refusals are
DomainErrors, which qms/errors.py turns into {"error", "message"} with their status: 400 for a bad
body, 403 for a step that is not the user's (every write of an auditor, by qms.core.access), 404 for
another commune's NC, 409 for a gate not met or a concurrent change. Writes go through the
services, which flush; the request's unit of work commits once.
"""

from qms.nonconformities.api import register, steps  # noqa: F401  (their routes, on the API blueprint)
