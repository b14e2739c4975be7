"""`qms evidence ...`: evidence packs. `pack` builds one into a file (with a progress bar, as
`qms dossier import` shows one); `verify` checks a pack against its manifest, offline, and against this
installation's audit chain when there is one to ask."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from qms.core.commands import fail, run_service

KINDS = {"document": "document", "nc": "nonconformity", "nonconformity": "nonconformity", "audit": "audit"}


@click.group("evidence")
def evidence_group():
    """Evidence packs: a record's files, events, index and manifest in one .zip."""


@evidence_group.command("pack")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("key")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The .zip to write",
)
@click.option("--as", "username", required=True, help="Who exports (user name): a quality officer, leader or auditor")
@with_appcontext
def pack_command(kind, key, out, username):
    """Build the evidence pack of a document (KEY: its code, e.g. QT-01), a nonconformity (nc; KEY: its
    number, e.g. SKPH-2026-001) or an internal audit (audit; KEY: its code, e.g. ĐGNB-2026-01) into OUT,
    and record who exported it. Exit 1 with the reason on stderr when there is no such record or the
    user may not export packs."""
    from sqlalchemy import select

    from qms.auth.models import User
    from qms.db import DomainError, db
    from qms.evidence import services
    from qms.evidence.models import SubjectKind

    actor = db.session.scalar(select(User).where(User.username == username, User.is_active_account.is_(True)))
    if actor is None or actor.commune_id is None:
        fail(f"no active user of a commune named {username!r}")
    subject = SubjectKind(KINDS[kind])
    partial = out.with_name(out.name + ".part")
    try:
        with click.progressbar(length=1, label=f"Evidence pack of {key}") as bar:

            def on_progress(done, total):
                bar.length = total
                bar.update(done - bar.pos)

            contents, manifest = services.build_to_file(actor, subject, key, partial, on_progress=on_progress)
    except DomainError as exc:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        fail(str(exc.message))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    sha256, size = services.file_digest(partial)
    run_service(lambda: services.record_pack_created(actor, contents, manifest, sha256=sha256, size=size, via="cli"))
    partial.replace(out)
    click.echo(f"{out}: {len(manifest['files']) + 1} files, {size:,} bytes, SHA-256 {sha256}".replace(",", "."))
    click.echo(f"Audit chain head: event {manifest['chain_head']['seq']} ({manifest['chain_head']['hash'][:16]}…)")


@evidence_group.command("verify")
@click.argument("pack", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--offline", is_flag=True, help="Check the files only, not this installation's audit chain")
@click.pass_context
def verify_command(ctx, pack, offline):
    """Check PACK against its manifest: every file's SHA-256 and size, no file missing or extra; and,
    unless --offline or no installation is configured here, that its audit chain head is on this
    installation's chain. Exit 0 when the pack holds, 1 naming each file that does not (on stderr)."""
    from qms.evidence.pack import PackUnreadable, verify_pack

    try:
        check = verify_pack(pack)
    except PackUnreadable as exc:
        fail(f"{pack}: {exc}")
    manifest = check.manifest
    subject = manifest.get("subject", {})
    click.echo(f"{pack}: {subject.get('name', '')} ({manifest.get('generated_at', '')})")
    for path in check.changed:
        click.echo(f"changed / đã bị sửa: {path}", err=True)
    for path in check.missing:
        click.echo(f"missing / bị thiếu: {path}", err=True)
    for path in check.extra:
        click.echo(f"extra / không có trong manifest: {path}", err=True)
    app = None if offline else _installation(ctx)
    if app is not None:
        _check_head(app, check)
    elif not offline:
        click.echo("No installation configured here: the chain head was not checked / không đối chiếu nhật ký.")
    if not check.holds:
        raise SystemExit(1)
    count = len(manifest["files"])
    click.echo(f"OK: {count} files match the manifest / {count} tệp khớp với manifest.")


def _installation(ctx):
    """This computer's installation, when one is configured and its database has an audit trail;
    else None (a pack is checked offline then)."""
    import sqlalchemy as sa
    from flask.cli import ScriptInfo

    from qms.config import ConfigError

    try:
        app = ctx.ensure_object(ScriptInfo).load_app()
        with app.app_context():
            from qms.db import db

            return app if sa.inspect(db.engine).has_table("audit_events") else None
    except (ConfigError, sa.exc.SQLAlchemyError):
        return None


def _check_head(app, check):
    from qms.evidence.pack import head_on_chain

    with app.app_context():
        head_on_chain(check)
    seq = (check.manifest.get("chain_head") or {}).get("seq")
    if check.head_on_chain:
        click.echo(f"Chain head (event {seq}) is on this installation's chain / Sự kiện cuối có trong nhật ký.")
    else:
        click.echo(f"chain head (event {seq}) is not on this installation's chain / không khớp nhật ký", err=True)
    if check.checkpoint_known is False:
        click.echo("the pack's last checkpoint is not one of this installation's / điểm kiểm tra lạ", err=True)
