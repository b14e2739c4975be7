"""The JSON API of internal audits under /api/v1: the programmes, the audits (listed, and one whole with
its checklist, findings and signed records), recording a finding, and planning an audit.

The same rules and messages as the pages, because both call the same services and permissions:
everyone of the commune reads; another commune's audit is never found (404); a write that is not the
user's is refused with the reason (403; every write of an auditor, by qms.core.access); a field the
service refuses answers 422 naming it (`field`), an impartiality refusal 422 with every reason
(`reasons`); a malformed body 400. Writes go through the services, which flush; the request's unit
of work commits once.
"""

from qms.audits.api import routes  # noqa: F401  (its routes, on the API blueprint)
