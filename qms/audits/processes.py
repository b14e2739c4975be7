"""The quality system's own processes, which an audit's scope can name beside the procedures' internal
processes: key -> (name, the roles that perform it). An auditor holding one of those roles performs
the process, so cannot audit it (ISO 9001 9.2.2 c: objectivity and impartiality)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from qms.auth.models import ADMINISTRATOR, AUDITOR, LEADER, QUALITY_OFFICER


@dataclass(frozen=True)
class SystemProcess:
    key: str
    name: object  # lazy: read in the reader's language
    roles: tuple  # role codes of those who perform it
    clauses: tuple  # the ISO 9001 clauses it answers (an NC on one of them, found in no procedure, is its)


SYSTEM_PROCESSES = {
    p.key: p
    for p in (
        SystemProcess("leadership", _l("Leadership, planning and management review"), (LEADER,), ("5", "6", "9.3")),
        SystemProcess("documents", _l("Control of documented information"), (QUALITY_OFFICER,), ("7.5",)),
        SystemProcess("nonconformities", _l("Nonconformity and corrective action"), (QUALITY_OFFICER,), ("8.7", "10")),
        SystemProcess("internal_audit", _l("Internal audit"), (AUDITOR, QUALITY_OFFICER), ("9.2",)),
        SystemProcess(
            "monitoring", _l("Monitoring, measurement and citizen satisfaction"), (QUALITY_OFFICER,), ("9.1",)
        ),
        SystemProcess(
            "resources",
            _l("Resources, competence and awareness"),
            (ADMINISTRATOR, LEADER),
            ("7.1", "7.2", "7.3", "7.4"),
        ),
    )
}
