"""People in Vietnamese order, whatever the database's collation.

A Vietnamese full name is family name, middle names, given name ("Đỗ Thu Hà": family Đỗ, given Hà),
and lists of people are ordered by the given name, then the family name, then the middle names. Words
compare in the order of the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v
x y, other Latin letters in their place), letter by letter first, and only then by their tones, in
dictionary order (none, huyền, hỏi, ngã, sắc, nặng): Ha < Hà < Hạ < Hải < Hân.

Sorting in Python with name_sort_key gives the same order on SQLite (which compares code points, so
"Đ" comes after "Z") and on PostgreSQL (whose order depends on how its cluster was set up).
"""

import unicodedata

# The marks that make a letter of its own (ă â đ ê ô ơ ư), ranked after the plain letter.
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
# The tones, in dictionary order (a letter without one comes first).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


def word_sort_key(word):
    """(letters, tones) of one word: letters compare first, tones only between equal letters (a
    syllable has one tone, wherever it is written: "Hoà" and "Hòa" are the same name)."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFD", word.casefold()):
        if char in _LETTER_MARKS and letters:
            base, _mark = letters[-1]
            letters[-1] = (base, _LETTER_MARKS[char])
        elif char in _TONES:
            tones.append(_TONES[char])
        elif unicodedata.combining(char):
            continue  # a mark Vietnamese does not use
        elif char == "đ":
            letters.append(("d", 1))
        else:
            letters.append((char, 0))
    return tuple(letters), tuple(tones)


def text_sort_key(text):
    """Sort key of a label or title: its words in Vietnamese order (word_sort_key), one after the
    other, then the text as written."""
    return tuple(word_sort_key(word) for word in (text or "").split()), text or ""


def name_sort_key(full_name):
    """Sort key of a person's full name: given name (the last word), family name (the first), middle
    names, then the name as written (so that equal keys still sort the same way every time)."""
    words = (full_name or "").split()
    if not words:
        return ((), (), (), full_name or "")
    given, family, middle = words[-1], words[0] if len(words) > 1 else "", words[1:-1]
    return (
        word_sort_key(given),
        word_sort_key(family),
        tuple(word_sort_key(word) for word in middle),
        full_name,
    )


def by_name(people, name=lambda person: person.full_name):
    """`people` as a list in Vietnamese order of their names (see name_sort_key)."""
    return sorted(people, key=lambda person: name_sort_key(name(person)))
