"""Jobs: work the system does by itself on a schedule (versions coming into force on their
effective date, sessions past their lifetime closed, the audit chain signed), never as a side
effect of someone reading a page.

Areas register their jobs (register_job); `qms jobs run` runs them all once (from cron or a systemd
timer beside gunicorn), and `qms serve` runs them in a background thread every
QMS_JOBS_EVERY_MINUTES minutes. Each job runs in a unit of work of its own, as the system (no
acting person), and is written so that running it twice, or in two processes at once, does no
harm: it acts on what is due and finds nothing left the second time.
"""

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable  # run(app) -> a one-line summary of what it did
    description: str


_JOBS: dict = {}


def register_job(name, run, description):
    _JOBS[name] = Job(name, run, description)


def jobs() -> list:
    return list(_JOBS.values())


def run_jobs(app, names=None) -> list:
    """Run the named jobs (all by default) in `app`, each in its own unit of work. Returns
    [(job name, summary or None, error or None)]; one failing job does not stop the others."""
    from qms.audit.services import audit_context
    from qms.db import unit_of_work

    unknown = set(names or ()) - set(_JOBS)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    results = []
    for job in _JOBS.values():
        if names and job.name not in names:
            continue
        with app.app_context(), audit_context(ip="job", request_id=f"job-{uuid.uuid4().hex[:12]}"):
            try:
                with unit_of_work():
                    summary = job.run(app)
                results.append((job.name, summary, None))
            except Exception as exc:  # noqa: BLE001 - reported, and the next job still runs
                log.exception("job %s failed", job.name)
                results.append((job.name, None, exc))
    return results


def start_scheduler(app, every_minutes):
    """Run every job now and then every `every_minutes` minutes in a daemon thread of this process
    (`qms serve`). Returns the thread; it stops with the process."""
    stop = threading.Event()

    def loop():
        while True:
            run_jobs(app)
            if stop.wait(every_minutes * 60):
                return

    thread = threading.Thread(target=loop, name="qms-jobs", daemon=True)
    thread.stop = stop
    thread.start()
    return thread
