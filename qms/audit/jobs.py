"""The job of the audit trail: once a day, the chain's head is signed (a checkpoint)."""

from qms.audit.checkpoints import checkpoint_due, sign_checkpoint
from qms.core.jobs import register_job


def daily_checkpoint(app):
    if not checkpoint_due():
        return "no checkpoint due"
    checkpoint = sign_checkpoint(app.instance_path)
    return f"checkpoint signed at event {checkpoint.seq}"


register_job("audit.checkpoint", daily_checkpoint, "Sign the audit chain's head once a day (a checkpoint)")
