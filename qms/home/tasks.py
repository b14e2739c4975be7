"""What each role has to do next. Feature areas register providers; the home page lists their items.

A provider is a function(user) -> list of Task; it is shown to users holding any of its roles.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l


@dataclass
class Task:
    title: str
    url: str
    detail: str = ""
    due: object = None
    overdue: bool = False


@dataclass
class Section:
    key: str
    title: str
    roles: frozenset
    provider: object
    empty_text: str
    tasks: list = field(default_factory=list)


_SECTIONS: list = []


def register_section(key, title, roles, provider, empty_text):
    """Add a home-page section for users holding any of `roles` (order of registration is kept)."""
    if any(s.key == key for s in _SECTIONS):
        return
    _SECTIONS.append(Section(key, title, frozenset(roles), provider, empty_text))


def tasks_for(user):
    shown = []
    for section in _SECTIONS:
        if user.has_role(*section.roles):
            shown.append(Section(section.key, section.title, section.roles, section.provider,
                                 section.empty_text, list(section.provider(user))))
    return shown


__all__ = ["Task", "register_section", "tasks_for", "_l"]
