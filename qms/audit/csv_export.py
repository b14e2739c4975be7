"""The trail's events as CSV rows: the columns and the cell text the auditor's export (/audit/export.csv)
and the evidence packs' events.csv share, so the two files read the same."""

import csv

from qms.core.calendar import format_datetime
from qms.core.exports import FORMULA_START

CSV_COLUMNS = (
    "seq",
    "time_vn",
    "user",
    "action",
    "entity_type",
    "entity_id",
    "changes",
    "reason",
    "ip",
    "request_id",
    "hash",
)
BOM = "\ufeff"  # Excel opens UTF-8 Vietnamese correctly only with a BOM


def csv_text(value):
    """Text for a CSV cell, a leading ' keeping Excel from running it as a formula (someone could
    type one into a reason, or send it as a request id, to run it on the auditor's computer)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def event_row(event) -> tuple:
    """One event as the cells of CSV_COLUMNS."""
    return (
        event.seq,
        format_datetime(event.occurred_at, seconds=True),
        *map(
            csv_text,
            (
                event.actor_name,
                event.action,
                event.entity_type,
                event.entity_id,
                event.changes,
                event.reason,
                event.ip,
                event.request_id,
            ),
        ),
        event.hash,
    )


def csv_chunks(events, every=500):
    """The CSV text of `events` (BOM and header first), in pieces of about `every` rows: a long
    trail is written out as it is read, never held whole."""
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(CSV_COLUMNS)
    for n, event in enumerate(events):
        writer.writerow(event_row(event))
        if n % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
