"""The job of the audit trail: once a day, the chain is verified (resuming after the last verified
state) and its head signed (a checkpoint) when events were recorded since the last one. The result of
the verification is kept for the workspace's front page (qms.audit.checkpoints.record_last_check)."""

from qms.audit.checkpoints import checkpoint_due, load_checkpoint_key, read_last_check, sign_checkpoint
from qms.audit.verify import verify_installation
from qms.core.calendar import utcnow
from qms.core.jobs import register_job

CHECK_EVERY = 24  # hours between two verifications when no checkpoint is due


def check_due(instance_path, now=None) -> bool:
    last = read_last_check(instance_path, load_checkpoint_key(instance_path))
    return last is None or ((now or utcnow()) - last.checked_at).total_seconds() >= CHECK_EVERY * 3600


def daily_checkpoint(app):
    if checkpoint_due():
        checkpoint = sign_checkpoint(app.instance_path)  # verifies the chain first
        return f"checkpoint signed at event {checkpoint.seq}"
    if not check_due(app.instance_path):
        return "no checkpoint due"
    result = verify_installation(app.instance_path, resume=True)
    if not result.ok:
        return f"no checkpoint due; the chain is broken at event {result.broken_seq} ({result.kind})"
    return f"no checkpoint due; chain verified up to event {result.count}"


register_job(
    "audit.checkpoint",
    daily_checkpoint,
    "Verify the audit chain once a day and sign its head (a checkpoint) when events were recorded",
)
