"""The demo commune's document set: Vietnamese content and the .docx / .xlsx files it is rendered to.

`catalogue.py` lists the documents (code, title, kind, field, legal bases, distribution) with the
function that renders each issue; `parts.py` lays out the parts every QMS document of the set
shares (header block, sign-off block, change-history table), on top of the Decree 30 page helpers
of qms/documents/exports.py. The story told with these documents (who drafted, reviewed and
approved which issue, when it became effective) is in qms/demo.py.

The files are Vietnamese documents, not interface text: nothing here is translated.
"""
