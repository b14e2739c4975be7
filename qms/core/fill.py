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
* A value may be a picture (``Picture(png_bytes, width_mm)``: a QR code, a signature's image): the
  placeholder is replaced by the picture, inline where it was written, ``width_mm`` wide (the height
  keeps the picture's proportions), in the paragraph's line as a character would be.
* A placeholder whose name is not in ``values`` is left as it is written, so that a misspelt name
  shows on the first printed copy instead of leaving a silent blank.

Placeholders are found in the body, in tables (nested ones too), in text boxes, and in every
section's headers and footers. Word often splits what one types into several runs (a spelling mark,
a change of formatting, an edit in the middle): a placeholder is found across runs, and the text
that replaces it takes the formatting of the run where the placeholder begins.

An area whose templates are controlled forms may also say which placeholders a form may hold
(register_template_check): document control asks every registered check when a new file of a form
is uploaded (template_refusal), so that a template with a name nobody fills is refused with that
name at upload, not found on a printed copy. Document control does not know the areas; the areas
register their checks when the application starts.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*\}\}")

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _R, _T, _BR, _TR, _TBL = (f"{{{_W}}}{tag}" for tag in ("p", "r", "t", "br", "tr", "tbl"))
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RPR = f"{{{_W}}}rPr"
# Where a picture goes, while the paragraph's text is rewritten: characters of Unicode's private use
# area, which no template or value holds (values are checked).
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")


@dataclass(frozen=True)
class Picture:
    """A picture to put where a placeholder is: PNG (or JPEG, GIF, BMP) bytes and the width it is
    printed at, in millimetres."""

    data: bytes
    width_mm: float


def fill_docx(template: bytes, values: dict) -> bytes:
    """The template's bytes filled with `values` (see the module's docstring for the language)."""
    import docx

    document = docx.Document(io.BytesIO(template))
    for root, part in _roots(document):
        # the plain placeholders first, then the rows: text a row's copy receives (an item someone
        # typed) is never read again as placeholders
        for paragraph in list(root.iter(_P)):
            _fill_paragraph(paragraph, values, part)
        _repeat_rows(root, values, part)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def placeholders(template: bytes) -> set:
    """The names of the placeholders a template holds (``list.field`` for repeated rows)."""
    import docx

    document = docx.Document(io.BytesIO(template))
    found = set()
    for root, _part in _roots(document):
        for paragraph in root.iter(_P):
            found.update(match.group(1) for match in PLACEHOLDER.finditer(_text(_texts(paragraph))))
    return found


def _roots(document):
    """The XML trees that hold text, each with the part it belongs to (a picture is related to
    that part): the body, then each distinct header and footer part."""
    roots, seen = [(document.element.body, document.part)], set()
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
                roots.append((element, part.part))
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
    text = "" if value is None else str(value)
    # the marks of pictures are ours alone: a value cannot bring one in
    return text.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, "")


def _fill_paragraph(paragraph, values, part):
    texts = _texts(paragraph)
    whole = _text(texts)
    if "{{" not in whole:
        return
    matches = [m for m in PLACEHOLDER.finditer(whole) if m.group(1) in values]
    if not matches:
        return
    pictures = []
    if _MARK_OPEN in whole or _MARK_CLOSE in whole:  # a template's own marks are not ours: dropped
        for t in texts:
            t.text = _as_text(t.text)
        whole = _text(texts)
        matches = [m for m in PLACEHOLDER.finditer(whole) if m.group(1) in values]
    for match in reversed(matches):  # from the end, so that the earlier offsets stay right
        value = values[match.group(1)]
        if isinstance(value, Picture):
            replacement = f"{_MARK_OPEN}{len(pictures)}{_MARK_CLOSE}"
            pictures.append(value)
        else:
            replacement = _as_text(value)
        _replace(texts, match.start(), match.end(), replacement)
    for t in texts:
        if t.text and "\n" in t.text:
            _line_breaks(t)
    if pictures:
        for t in [t for t in paragraph.iter(_T) if t.text and _MARK_OPEN in t.text]:
            _insert_pictures(t, pictures, part)


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


def _insert_pictures(t, pictures, part):
    """The w:t holds marks of pictures: its run is cut at each mark, a run holding the picture
    between the two halves (each half keeps the run's formatting)."""
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    match = next((m for m in _MARK.finditer(t.text) if int(m.group(1)) < len(pictures)), None)
    if match is None:
        return
    run = t.getparent()
    position = list(run).index(t)
    after = copy.deepcopy(run)
    # the run keeps what comes before the mark, its copy what comes after it
    for child in list(run)[position + 1 :]:
        run.remove(child)
    t.text = t.text[: match.start()]
    for index, child in enumerate(list(after)):
        if child.tag != _RPR and index < position:
            after.remove(child)
    rest = next(child for child in after if child.tag == _T)
    rest.text = rest.text[match.end() :]
    rest.set(_SPACE, "preserve")

    picture = pictures[int(match.group(1))]
    holder = OxmlElement("w:r")
    properties = run.find(_RPR)
    if properties is not None:
        holder.append(copy.deepcopy(properties))
    holder.add_drawing(part.new_pic_inline(io.BytesIO(picture.data), width=Mm(picture.width_mm)))
    run.addnext(holder)
    if rest.text or any(child.tag not in (_RPR, _T) for child in after):
        holder.addnext(after)
        _insert_pictures(rest, pictures, part)  # another mark further on in the same text


def _repeat_rows(root, values, part):
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
                _fill_paragraph(paragraph, {**values, **fields}, part)
            row.addprevious(copy_)
        row.getparent().remove(row)


# --- checks of templates at upload ------------------------------------------------------------------

_TEMPLATE_CHECKS = []


def register_template_check(check):
    """Register `check(commune, document_code, names) -> str | None`: asked for each new file of a
    form (a .docx) uploaded to the commune's document control, with the names of the placeholders
    the file holds (see `placeholders`); it answers why the file cannot be that form's template
    (in words, naming the wrong placeholders), or None when it can, or when the form is not one it
    fills. Registering the same function twice registers it once."""
    if check not in _TEMPLATE_CHECKS:
        _TEMPLATE_CHECKS.append(check)
    return check


class _Placeholders:
    """The placeholders of a template, read (the whole .docx parsed) only when a check iterates
    them: most forms are no area's template, and their checks look no further than the code."""

    def __init__(self, template):
        self._template, self._names = template, None

    def __iter__(self):
        if self._names is None:
            self._names = placeholders(self._template)
        return iter(self._names)


def template_refusal(commune, document_code, template: bytes):
    """Why the .docx `template` cannot be the new file of the commune's form `document_code`,
    according to the registered checks; None when no check refuses it."""
    if not _TEMPLATE_CHECKS:
        return None
    names = _Placeholders(template)
    for check in _TEMPLATE_CHECKS:
        refusal = check(commune, document_code, names)
        if refusal:
            return refusal
    return None
