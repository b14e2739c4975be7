"""Password hashing (argon2id) and the password policy."""

import functools
import os
import sys
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from qms.db import DomainError


@functools.cache
def _common_passwords():
    """The 30,000 most common passwords of leaked corpora (zxcvbn's list), looked up lower-cased.
    Loaded when a password is first set, not at start: zxcvbn's lists take some 12 MB of memory
    in every worker, and only a password change reads them."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


# A user name this short turns up inside random passwords by chance, so it is not looked for.
_MIN_USERNAME_CHECKED = 3


def _hasher():
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["QMS_ARGON2_TIME_COST"],
        memory_cost=cfg["QMS_ARGON2_MEMORY_KIB"],
        parallelism=cfg["QMS_ARGON2_PARALLELISM"],
    )


# How much lower than the request's own the CPU priority of argon2 is (a nice value, Linux). A hash
# takes every core for a few hundred milliseconds on purpose; at the request's priority it halves
# the speed of every other request meanwhile (downloads, lists), each of which needs a few
# milliseconds. At this niceness the others go first whenever they want a core, and a sign-in or a
# signature takes longer only while the server is busy with them.
HASHING_NICENESS = 10


def _deprioritised(work):
    """work() in a thread of its own whose CPU priority is lowered by HASHING_NICENESS, and its
    result (or its exception). argon2's own threads (one per lane) inherit the priority, and the
    request's thread keeps its own: on Linux a priority belongs to a thread, and a thread may
    lower its own but never raise it again, hence the thread that ends with the work. Elsewhere
    (waitress on Windows) work() simply runs here."""
    if not sys.platform.startswith("linux"):
        return work()
    outcome = {}

    def run():
        me = threading.get_native_id()
        try:  # a thread starts at the priority of the one that started it
            os.setpriority(os.PRIO_PROCESS, me, min(os.getpriority(os.PRIO_PROCESS, me) + HASHING_NICENESS, 19))
        except OSError:  # a sandbox that forbids it: hash at the request's priority
            pass
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001  (handed to the caller's thread below)
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="argon2")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def hash_password(password: str) -> str:
    hasher = _hasher()
    return _deprioritised(lambda: hasher.hash(password))


def check_password(password_hash: str, password: str) -> bool:
    hasher = _hasher()
    try:
        return _deprioritised(lambda: hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other argon2 parameters than those configured now."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def check_policy(password: str, username: str = "") -> None:
    """Raise DomainError (code weak_password) if the password is shorter than
    QMS_PASSWORD_MIN_LENGTH, is one of the most common passwords, or contains the user name."""
    minimum = current_app.config["QMS_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError(_l("The password must have at least %(n)d characters.", n=minimum), code="weak_password")
    lowered = password.lower()
    username = (username or "").strip().lower()
    if lowered in _common_passwords() or (len(username) >= _MIN_USERNAME_CHECKED and username in lowered):
        raise DomainError(_l("This password is too common or too easy to guess; choose another."), code="weak_password")


# A valid hash to verify against when the user does not exist, so timing does not reveal it.
_DUMMY = None


def dummy_check(password: str) -> None:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password("not-a-real-password-0")
    check_password(_DUMMY, password)
