"""Filling a Word template (.docx) from data: the one place that does it, for every area (the NC
report now, the one-stop shop's forms later). The template is an ordinary Word file, typically the
effective version of a controlled form, in which the places to fill are written as placeholders.

The placeholder language:

* ``{{name}}`` is replaced by the text of ``values["name"]`` (a string; a number is written as
  text, None as nothing; a line break in the text becomes a line break in Word). A name is letters,
  digits and underscores, starting with a letter or underscore (``{{so_phieu}}``, ``{{ten}}``);
  spaces inside the braces are allowed (``{{ so_phieu }}``).
* ``{{list.field}}`` inside a table row repeats that row once per element of ``values["list"]`` (a
  list of dicts), each copy filled with the element's ``field`` (and with the plain ``{{name}}``
  placeholders too). A row naming no element of an empty list is removed. One row repeats for one
  list: name a single list per row.
* A placeholder whose name is not in ``values`` is left as it is written, so that a misspelt name
  shows on the first printed copy instead of leaving a silent blank.

Placeholders are found in the body, in tables (nested ones too), in text boxes, and in every
section's headers and footers. Word often splits what one types into several runs (a spelling mark,
a change of formatting, an edit in the middle): a placeholder is found across runs, and the text
that replaces it takes the formatting of the run where the placeholder begins.
"""

from __future__ import annotations

import copy
import io
import re

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*\}\}")

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _R, _T, _BR, _TR, _TBL = (f"{{{_W}}}{tag}" for tag in ("p", "r", "t", "br", "tr", "tbl"))
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def fill_docx(template: bytes, values: dict) -> bytes:
    """The template's bytes filled with `values` (see the module's docstring for the language)."""
    import docx

    document = docx.Document(io.BytesIO(template))
    for root in _roots(document):
        # the plain placeholders first, then the rows: text a row's copy receives (an item someone
        # typed) is never read again as placeholders
        for paragraph in list(root.iter(_P)):
            _fill_paragraph(paragraph, values)
        _repeat_rows(root, values)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def placeholders(template: bytes) -> set:
    """The names of the placeholders a template holds (``list.field`` for repeated rows)."""
    import docx

    document = docx.Document(io.BytesIO(template))
    found = set()
    for root in _roots(document):
        for paragraph in root.iter(_P):
            found.update(match.group(1) for match in PLACEHOLDER.finditer(_text(_texts(paragraph))))
    return found


def _roots(document):
    """The XML trees that hold text: the body, then each distinct header and footer part."""
    roots, seen = [document.element.body], set()
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            if part.is_linked_to_previous:
                continue
            element = part._element
            if id(element) not in seen:
                seen.add(id(element))
                roots.append(element)
    return roots


def _owner(element, tag):
    """The nearest ancestor of `element` with `tag`."""
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _texts(paragraph):
    """The paragraph's own w:t elements in order (not those of a text box's paragraphs inside it)."""
    return [t for t in paragraph.iter(_T) if _owner(t, _P) is paragraph]


def _text(texts):
    return "".join(t.text or "" for t in texts)


def _as_text(value) -> str:
    return "" if value is None else str(value)


def _fill_paragraph(paragraph, values):
    texts = _texts(paragraph)
    whole = _text(texts)
    if "{{" not in whole:
        return
    matches = [m for m in PLACEHOLDER.finditer(whole) if m.group(1) in values]
    if not matches:
        return
    for match in reversed(matches):  # from the end, so that the earlier offsets stay right
        _replace(texts, match.start(), match.end(), _as_text(values[match.group(1)]))
    for t in texts:
        if t.text and "\n" in t.text:
            _line_breaks(t)


def _replace(texts, begin, end, replacement):
    """Replace the characters begin..end of the paragraph's text, which may span several w:t, by
    `replacement`, written into the w:t where they begin (the others lose their part)."""
    position, written = 0, False
    for t in texts:
        text = t.text or ""
        first, last = position, position + len(text)
        position = last
        if last <= begin or first >= end:
            continue
        cut_from, cut_to = max(begin - first, 0), min(end - first, len(text))
        t.text = text[:cut_from] + ("" if written else replacement) + text[cut_to:]
        t.set(_SPACE, "preserve")
        written = True


def _line_breaks(t):
    """A w:t holding line breaks becomes w:t, w:br, w:t ... in the same run."""
    lines = t.text.split("\n")
    t.text = lines[0]
    anchor = t
    for line in lines[1:]:
        br = t.makeelement(_BR, {})
        anchor.addnext(br)
        following = t.makeelement(_T, {_SPACE: "preserve"})
        following.text = line
        br.addnext(following)
        anchor = following


def _repeat_rows(root, values):
    lists = {name for name, value in values.items() if isinstance(value, list | tuple)}
    if not lists:
        return
    for row in list(root.iter(_TR)):
        names = {
            match.group(1).split(".", 1)[0]
            for paragraph in row.iter(_P)
            for match in PLACEHOLDER.finditer(_text(_texts(paragraph)))
            if "." in match.group(1)
        }
        names &= lists
        if not names:
            continue
        name = sorted(names)[0]
        for element in values[name]:
            copy_ = copy.deepcopy(row)
            fields = {f"{name}.{key}": value for key, value in dict(element).items()}
            for paragraph in list(copy_.iter(_P)):
                _fill_paragraph(paragraph, {**values, **fields})
            row.addprevious(copy_)
        row.getparent().remove(row)
