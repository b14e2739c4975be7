"""Lists of people are in Vietnamese order (qms.core.names), the same on SQLite and PostgreSQL
whatever the database's collation: the administrator's list of accounts (active ones first) and the
people the audit trail filters by. "Đỗ Thu Hà" comes with the H's, not after Z."""

import re

from qms.auth.queries import commune_people, users_page
from qms.auth.services import disable_user
from qms.db import db
from tests.conftest import login

# Full names as created (in no order), and the order people expect: by given name.
PEOPLE = ["Vũ Minh Zũng", "Đỗ Thu Hà", "Trần Văn An", "Lê Thị Đào", "Nguyễn Văn Dũng", "Phạm Thị Hạ", "Bùi Ánh"]
EXPECTED = ["Trần Văn An", "Bùi Ánh", "Nguyễn Văn Dũng", "Lê Thị Đào", "Đỗ Thu Hà", "Phạm Thị Hạ", "Vũ Minh Zũng"]


def make_people(make_commune, make_user, *roles):
    commune = make_commune()
    users = {
        full_name: make_user(*roles, commune=commune, username=f"p{n}", full_name=full_name)
        for n, full_name in enumerate(PEOPLE)
    }
    return commune, users


def names(users):
    return [user.full_name for user in users]


def test_the_people_of_a_commune_are_in_vietnamese_order(make_commune, make_user):
    commune, _users = make_people(make_commune, make_user, "staff")
    assert names(commune_people(commune.id)) == EXPECTED


def test_the_accounts_page_lists_active_accounts_first_each_in_vietnamese_order(client, make_commune, make_user):
    commune, users = make_people(make_commune, make_user, "staff")
    make_user("administrator", commune=commune, username="quantri", full_name="Lý Quản Trị")
    disable_user(None, users["Bùi Ánh"])
    db.session.commit()
    expected = [
        "Trần Văn An",
        "Nguyễn Văn Dũng",
        "Lê Thị Đào",
        "Đỗ Thu Hà",
        "Phạm Thị Hạ",
        "Lý Quản Trị",
        "Vũ Minh Zũng",
        "Bùi Ánh",  # disabled: after the active accounts
    ]
    assert names(users_page(commune.id).items) == expected

    login(client, "quantri")
    html = client.get("/admin/users").get_data(as_text=True)
    shown = re.findall(r'<tr id="user-\d+">\s*<td>.*?</td>\s*<td>([^<]+)</td>', html)
    assert shown == expected


def test_pages_of_accounts_keep_the_order(make_commune, make_user):
    commune, _users = make_people(make_commune, make_user, "staff")
    first, second = users_page(commune.id, per_page=4), users_page(commune.id, page=2, per_page=4)
    assert names(first.items) + names(second.items) == EXPECTED
    assert (first.total, first.pages, second.number) == (len(PEOPLE), 2, 2)


def test_the_trail_filters_by_people_in_vietnamese_order(client, make_commune, make_user):
    make_people(make_commune, make_user, "auditor")
    login(client, "p0")
    html = client.get("/audit/").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="user".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select)[1:] == EXPECTED  # after "Everyone"
