"""The demo commune: units after the 2025 two-tier reform, one account per role, its documents."""
import secrets

from sqlalchemy import select

from qms.auth.models import Commune
from qms.auth.services import create_commune, create_unit, create_user
from qms.db import db

DEMO_COMMUNE = {"code": "XA-HOABINH", "name": "UBND xã Hòa Bình"}

DEMO_UNITS = [
    ("VP", "Văn phòng HĐND và UBND", False),
    ("KT", "Phòng Kinh tế", False),
    ("VHXH", "Phòng Văn hóa - Xã hội", False),
    ("TTHCC", "Trung tâm Phục vụ hành chính công", True),
]

# user name, full name, role, unit codes
DEMO_USERS = [
    ("admin", "Trần Văn Quản", "administrator", ["VP"]),
    ("qo", "Nguyễn Thị Chất", "quality_officer", ["VP"]),
    ("leader", "Lê Văn Lãnh", "leader", ["VP"]),
    ("staff", "Phạm Thị Một", "staff", ["TTHCC"]),
    ("auditor", "Hoàng Văn Kiểm", "auditor", ["VHXH"]),
]


def has_data():
    return db.session.scalar(select(Commune.id).limit(1)) is not None


def demo_password(app):
    """QMS_DEMO_PASSWORD when set, otherwise one generated on first run and kept in instance/."""
    import os
    from pathlib import Path
    if os.environ.get("QMS_DEMO_PASSWORD"):
        return os.environ["QMS_DEMO_PASSWORD"]
    path = Path(app.instance_path) / "demo-password.txt"
    if not path.exists():
        path.write_text("Demo-" + secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


def load_demo(password):
    """Create the demo commune with its units and accounts, then its documents."""
    commune = create_commune(None, **DEMO_COMMUNE)
    units = {code: create_unit(None, commune, code=code, name=name, is_one_stop=one_stop)
             for code, name, one_stop in DEMO_UNITS}
    users = {}
    for username, full_name, role, unit_codes in DEMO_USERS:
        users[username] = create_user(None, commune, username=username, full_name=full_name, password=password,
                                      roles=[role], unit_ids=[units[c].id for c in unit_codes])
    return commune
