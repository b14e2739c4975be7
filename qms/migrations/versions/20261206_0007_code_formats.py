"""code formats: a commune's code rules become formats an officer writes (QT-{nn}, BM-{nn}-{QT})

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 12:00:00

communes.settings["documents"]["code_patterns"] held a regular expression per kind. A pattern that
is one of the former defaults becomes the new default format (code_formats); any other is kept as it
was written, as the kind's regular expression (code_regexes, the advanced option), so that every
code accepted before is accepted after. Downgrade writes the regular expressions back and drops the
formats (a format has no regular-expression twin the former code could read, so such kinds accept
any code after a downgrade).
"""
import json

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FORMER_DEFAULTS = {
    "policy": r"(CS|MT)-\d{2}(-\d{4})?",
    "procedure": r"QT-\d{2}",
    "instruction": r"HD-\d{2}(-QT-\d{2})?",
    "form": r"BM-\d{2}-QT-\d{2}",
    "internal": r"TL-\d{2}",
    "external": "",
}

NEW_DEFAULTS = {
    "policy": "CS-{nn}[-{yyyy}], MT-{nn}[-{yyyy}]",
    "procedure": "QT-{nn}",
    "instruction": "HD-{nn}[-{QT}]",
    "form": "BM-{nn}-{QT}",
    "internal": "TL-{nn}",
    "external": "",
}

communes = sa.table('communes', sa.column('id', sa.Integer), sa.column('settings', sa.JSON))


def _rewrite(change):
    bind = op.get_bind()
    for row in bind.execute(sa.select(communes.c.id, communes.c.settings)).all():
        settings = row.settings if isinstance(row.settings, dict) else json.loads(row.settings or "{}")
        documents = (settings or {}).get("documents")
        if not isinstance(documents, dict):
            continue
        changed = change(dict(documents))
        if changed != documents:
            bind.execute(communes.update().where(communes.c.id == row.id).values(settings={**settings, "documents": changed}))


def _upgrade(documents):
    patterns = documents.pop("code_patterns", None)
    if isinstance(patterns, dict):
        # a kind cleared to accept any code stays so; a former default becomes the new default format
        cleared = {kind: "" for kind, pattern in patterns.items() if not pattern and FORMER_DEFAULTS.get(kind)}
        if cleared:
            documents["code_formats"] = cleared
        documents["code_regexes"] = {
            kind: pattern for kind, pattern in patterns.items() if pattern and pattern != FORMER_DEFAULTS.get(kind)
        }
    return documents


def _downgrade(documents):
    regexes = documents.pop("code_regexes", None) or {}
    formats = documents.pop("code_formats", None)
    if regexes or formats is not None:
        patterns = dict(FORMER_DEFAULTS)
        for kind, written in (formats or {}).items():
            if written != NEW_DEFAULTS.get(kind):
                patterns[kind] = ""
        documents["code_patterns"] = {**patterns, **{k: v for k, v in regexes.items() if v}}
    return documents


def upgrade():
    _rewrite(_upgrade)


def downgrade():
    _rewrite(_downgrade)
