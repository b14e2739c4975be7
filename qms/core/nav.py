"""The main menu: each feature area registers its entries; a user sees those their roles allow."""

from flask import url_for
from flask_login import current_user

from qms.core.access import endpoint_access, user_may

_ITEMS = []


def register_nav(endpoint, label, order=100):
    """Add a menu entry; it shows for whoever the endpoint's access declaration allows."""
    if all(item[0] != endpoint for item in _ITEMS):
        _ITEMS.append((endpoint, label, order))
        _ITEMS.sort(key=lambda item: item[2])


def nav_items():
    if not current_user.is_authenticated:
        return []
    return [
        {"url": url_for(endpoint), "label": label, "endpoint": endpoint}
        for endpoint, label, _order in _ITEMS
        if user_may(current_user, endpoint_access(endpoint))
    ]
