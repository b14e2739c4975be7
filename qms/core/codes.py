"""Code formats a quality officer can write: `QT-{nn}`, `BM-{nn}-{QT}`, `CS-{nn}[-{yyyy}], MT-{nn}`.

A format is read left to right:
- letters, digits, `.`, `-` and `_` stand for themselves;
- `{nn}` is a serial number of at least as many digits as there are n's, zero-padded to that width
  (`{nn}`: 01, 02 ... 99, 100; never 001);
- `{yyyy}` is a year of four digits;
- `{QT}` is the code of the procedure the document belongs to (any procedure code when it is not known);
- `[...]` is an optional part, and a comma separates formats that are all accepted.

`parse()` refuses a format with a message naming what is wrong; `CodeFormat` compiles it to a regular
expression and makes the next code of a series (`next_code`), which the settings page shows live.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from qms.db import DomainError

MAX_LENGTH = 200
PROCEDURE_PLACEHOLDER = "QT"
_LITERAL = re.compile(r"[^\W_]|[.\-_]")


@dataclass(frozen=True)
class Serial:
    width: int


@dataclass(frozen=True)
class Year:
    pass


@dataclass(frozen=True)
class Procedure:
    pass


@dataclass(frozen=True)
class Optional_:
    items: tuple


def _refuse(message):
    raise DomainError(message, code="invalid_pattern")


def _placeholder(name, position):
    lowered = name.lower()
    if lowered and set(lowered) == {"n"}:
        return Serial(len(name))
    if lowered == "yyyy":
        return Year()
    if name.upper() == PROCEDURE_PLACEHOLDER:
        return Procedure()
    return _refuse(
        _l(
            "{%(name)s} (character %(at)d) is not a part a code can have: use {nn} for a number, {yyyy} for a year"
            " or {QT} for the procedure's code.",
            name=name,
            at=position,
        )
    )


def parse(text: str) -> tuple:
    """The alternatives of a format, each a tuple of items (str, Serial, Year, Procedure, Optional_).
    Raises DomainError (code invalid_pattern) naming the first thing that is wrong."""
    if len(text) > MAX_LENGTH:
        _refuse(_l("A code format has at most %(n)d characters.", n=MAX_LENGTH))
    for run in re.finditer(r"\s+", text):
        before, after = text[: run.start()].rstrip(), text[run.end() :].lstrip()
        if before and after and not before.endswith(",") and not after.startswith(","):
            _refuse(_l("A code has no spaces (character %(at)d).", at=run.start() + 1))
    alternatives, stack, position = [], [[]], 0
    while position < len(text):
        char = text[position]
        if char == "{":
            end = text.find("}", position)
            if end < 0:
                _refuse(_l("A { (character %(at)d) is not closed with }.", at=position + 1))
            stack[-1].append(_placeholder(text[position + 1 : end].strip(), position + 1))
            position = end + 1
            continue
        if char == "[":
            stack.append([])
        elif char == "]":
            if len(stack) == 1:
                _refuse(_l("A ] (character %(at)d) closes no [.", at=position + 1))
            items = stack.pop()
            if not items:
                _refuse(_l("The optional part [] (character %(at)d) is empty.", at=position + 1))
            stack[-1].append(Optional_(tuple(items)))
        elif char == ",":
            if len(stack) > 1:
                _refuse(_l("A comma (character %(at)d) cannot be inside [ ].", at=position + 1))
            alternatives.append(tuple(stack[0]))
            stack = [[]]
        elif char.isspace():
            pass  # only around commas and at the ends: checked before
        elif _LITERAL.fullmatch(char):
            stack[-1].append(char)
        else:
            _refuse(
                _l(
                    "The character %(char)s (character %(at)d) cannot be in a code: use letters, digits, dots and"
                    " dashes.",
                    char=char,
                    at=position + 1,
                )
            )
        position += 1
    if len(stack) > 1:
        _refuse(_l("A [ is not closed with ]."))
    alternatives.append(tuple(stack[0]))
    if any(not items for items in alternatives) and text.strip():
        _refuse(_l("A comma must separate two formats: one of them is empty."))
    return tuple(items for items in alternatives if items)


def _contains(items, kind) -> bool:
    return any(isinstance(i, kind) or (isinstance(i, Optional_) and _contains(i.items, kind)) for i in items)


def _serial_regex(width):
    return rf"(?:\d{{{width}}}|[1-9]\d{{{width},}})"


class CodeFormat:
    """A parsed format; `procedure_regex` is what {QT} matches when the procedure is not known."""

    def __init__(self, text: str, procedure_regex: str):
        self.text = text.strip()
        self.alternatives = parse(self.text)
        self.procedure_regex = procedure_regex

    @property
    def uses_procedure(self) -> bool:
        return any(_contains(items, Procedure) for items in self.alternatives)

    def _regex(self, items, procedure_code) -> str:
        out = []
        for item in items:
            if isinstance(item, str):
                out.append(re.escape(item))
            elif isinstance(item, Serial):
                out.append(_serial_regex(item.width))
            elif isinstance(item, Year):
                out.append(r"\d{4}")
            elif isinstance(item, Procedure):
                out.append(re.escape(procedure_code) if procedure_code else f"(?:{self.procedure_regex})")
            else:
                out.append(f"(?:{self._regex(item.items, procedure_code)})?")
        return "".join(out)

    def regex(self, procedure_code=None) -> re.Pattern:
        return re.compile("|".join(f"(?:{self._regex(items, procedure_code)})" for items in self.alternatives))

    def fits(self, code: str, procedure_code=None) -> bool:
        return not self.alternatives or self.regex(procedure_code).fullmatch(code) is not None

    def next_code(self, existing, *, year: int, procedure_code=None):
        """The code after the highest one of the first format's series among `existing` (its first
        when none): optional parts are left out, except one holding {QT} when the procedure is known."""
        if not self.alternatives:
            return None
        template = self._series(self.alternatives[0], str(year), procedure_code)
        if template is None:
            return None
        pattern = re.compile("".join(r"(\d+)" if isinstance(part, Serial) else re.escape(part) for part in template))
        widths = [part.width for part in template if isinstance(part, Serial)]
        highest = None
        for code in existing:
            match = pattern.fullmatch(code)
            if match and self.fits(code, procedure_code):
                numbers = tuple(int(g) for g in match.groups())
                highest = numbers if highest is None or numbers > highest else highest
        numbers = list(highest) if highest else [1] * len(widths)
        if highest and numbers:
            numbers[-1] += 1
        counters = iter(f"{n:0{w}d}" for n, w in zip(numbers, widths, strict=True))
        return "".join(next(counters) if isinstance(part, Serial) else part for part in template)

    def render(self, *, year: int, serial: int, procedure_code=None):
        """The first format's code for a year and serial number (None when it needs a procedure that
        is not given): SKPH-{yyyy}-{nnn} with 2026 and 7 is SKPH-2026-007."""
        if not self.alternatives:
            return None
        template = self._series(self.alternatives[0], str(year), procedure_code)
        if template is None:
            return None
        return "".join(f"{serial:0{part.width}d}" if isinstance(part, Serial) else part for part in template)

    def _series(self, items, year, procedure_code):
        parts = []
        for item in items:
            if isinstance(item, Year):
                parts.append(year)
            elif isinstance(item, Procedure):
                if not procedure_code:
                    return None
                parts.append(procedure_code)
            elif isinstance(item, Optional_):
                if procedure_code and _contains(item.items, Procedure):
                    inner = self._series(item.items, year, procedure_code)
                    if inner is None:
                        return None
                    parts.extend(inner)
            else:
                parts.append(item)
        return parts
