"""What each role has to do next. Feature areas register sections; the home page shows them.

A section is shown to users holding any of its roles. Its provider is a function(user) -> list of
Task, run on every visit of the home page, so it must be a cheap, commune-scoped query (limit it).
When the list is empty the section shows its `empty_text`, so a person knows there is nothing to do
rather than wondering whether the page failed. Register at import time of the area's views module:

    register_section("documents-to-review", _l("Documents to review"), (QUALITY_OFFICER,),
                     documents_to_review, _l("No document is waiting for your review."), order=20)
"""

from dataclasses import dataclass, field


@dataclass
class Task:
    title: str
    url: str
    detail: str = ""
    due: object = None  # a date shown as dd/mm/yyyy; with overdue=True it is shown in red
    overdue: bool = False


@dataclass
class Section:
    key: str
    title: str
    roles: frozenset
    provider: object
    empty_text: str
    order: int = 100
    tasks: list = field(default_factory=list)


_SECTIONS: list = []


def register_section(key, title, roles, provider, empty_text, order=100):
    """Add a home-page section for users holding any of `roles`; sections show by `order`, then
    in the order they were registered. Registering the same key again changes nothing."""
    if not roles:
        raise ValueError("a home-page section needs at least one role")
    if any(s.key == key for s in _SECTIONS):
        return
    _SECTIONS.append(Section(key, title, frozenset(roles), provider, empty_text, order))
    _SECTIONS.sort(key=lambda s: s.order)


def tasks_for(user):
    """The sections `user` sees, each with its tasks filled in."""
    return [
        Section(s.key, s.title, s.roles, s.provider, s.empty_text, s.order, list(s.provider(user)))
        for s in _SECTIONS
        if user.has_role(*s.roles)
    ]
