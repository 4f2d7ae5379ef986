"""OCR text of a name label -> a display name: icons, misread brackets and annotations removed."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from analytics.names import display_name, is_truncated

#: Characters that OCR makes of microphone / video icons at a label's ends. A handle's "@" and the comma after a
#: word are text ("Jean, @jeanb, Paris"); a comma at the line's end is dropped apart.
_EDGE_JUNK = re.compile(r"^(?:[^\w(@]|_|@(?!\w))+|(?:[^\w).…,]|_)+$")
#: Roles and pronouns meeting clients append to names, letters only ("(she/her)" -> "sheher").
_ANNOTATIONS = ("host", "cohost", "guest", "me", "hehim", "sheher", "theythem", "shethey", "hethey", "zezir")
_CLOSING_BRACKETS = str.maketrans("]}", "))")
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼ`", "'"))
_ROMAN_SUFFIX = re.compile(r"^([Il1]{2,3})(?=$|\.\.\.$|…$)")
_BROKEN_HYPHEN = re.compile(r"(?<=\w)- +(?=\w)")
#: A word of four or more letters and one full stop: no name ends so, an icon read as "." does.
_STRAY_FULL_STOP = re.compile(r"^[^\W\d_]{4,}\.$")
#: A phone number, masked ("*", "•") or not, as meeting clients show dial-in callers.
_PHONE = re.compile(r"[+(]?[\d*•#][\d*•#\s().-]{4,}[\d*•#]")


def _phone_number(text: str) -> str | None:
    """A dial-in caller's label ("+1 425-***-**25", "(•••) •••-••40") as read, or None when the text is a name."""
    if sum(ch.isalpha() for ch in text) >= 2:
        return None
    match = _PHONE.search(text)
    if match is None or sum(ch.isdigit() for ch in match.group()) < 2:
        return None
    return match.group().strip()


def _ends_junk(token: str) -> bool:
    """A token at a label's end that is an icon read as text ("4.", "$", "%4", "3,"), not part of a name.

    A lone character counts (microphone icons read as "4" or "l"); a number of
    two or more digits is kept ("Student 12" is not "Student").
    """
    if len(token) == 1:
        return True
    if len(token) == 2 and token[0].islower() and token[1] == ".":
        return True  # an icon read as "ş." or "ẹ.": an initial is a capital
    letters = sum(ch.isalpha() for ch in token)
    if letters and len(token) <= 3 and any(ch.isdigit() for ch in token):
        return True  # an icon read as "1L" or "X4.": short names and initials hold no digits
    return not letters and not token.isdigit()


def _misread_annotation(token: str) -> bool:
    """Whether a trailing "(...)" is a role or pronouns that OCR garbled: "(sheher)", "(heżhim)", "tthey/them)".

    Intact annotations are removed by :func:`analytics.schema.display_name`; this catches the near misses
    (similarity >= 0.75 to a known one), so that they do not become part of the name.
    """
    if not token.endswith(")") or "(" in token[1:]:
        return False  # only "(...)" or "...)" (its "(" lost or read as a letter) can be an annotation
    letters = "".join(ch for ch in token.casefold() if ch.isalpha())
    return any(SequenceMatcher(None, letters, known).ratio() >= 0.75 for known in _ANNOTATIONS)


def _round_brackets(token: str) -> str:
    """A token's curly or square brackets as the round ones they were: "{Guest}" -> "(Guest)".

    An opening one counts only where the token also closes: a microphone icon read as "{L" stays junk.
    """
    closed = token.translate(_CLOSING_BRACKETS)
    if closed[:1] in "{[" and closed.endswith(")"):
        return "(" + closed[1:]
    return closed


def clean_label_text(text: str) -> str | None:
    """OCR text of a label -> a display name, or None when nothing name-like is left.

    Microphone, video and hand icons beside a name come out of OCR as stray
    tokens or symbols at the ends of the line: they are dropped (an initial
    such as "J." is kept). A phone dial-in label is kept as its number.
    """
    phone = _phone_number(text)
    if phone is not None:
        return phone
    text = text.translate(_APOSTROPHES)  # O’Brien and O'Brien are one student
    # OCR often reads an annotation's round brackets as curly or square ones: "{Guest}", "(she/her}".
    text = " ".join(_round_brackets(token) for token in text.split())
    # A hyphenated name read as two words ("Montgomery- Fitzwilliam") is one word.
    text = _BROKEN_HYPHEN.sub("-", text)
    tokens = [_EDGE_JUNK.sub("", token) or token for token in text.split()]
    tokens = [token for token in tokens if token]
    if len(tokens) > 1:
        # A generational suffix read with l or 1 for I: "Fitzwilliam Ill" -> "Fitzwilliam III".
        tokens[-1] = _ROMAN_SUFFIX.sub(lambda m: "I" * len(m.group(1)), tokens[-1])
    while tokens and _ends_junk(tokens[0]):
        tokens.pop(0)
    while tokens and _ends_junk(tokens[-1]) and tokens[-1] not in {"…", "..."}:
        tokens.pop()
    cut = next((i for i, token in enumerate(tokens) if i and is_truncated(token)), None)
    if cut is not None:
        del tokens[cut + 1 :]  # a label the client cut short ends at its dots: what follows is an icon
    if tokens and tokens[-1].endswith(","):
        tokens[-1] = tokens[-1].rstrip(",")
    if tokens and tokens[-1][:1] in "({" and ")" not in tokens[-1] and not is_truncated(tokens[-1]):
        # "(Guest" with its ")" lost to an icon; "(Co-h…" is a label cut short, not a lost ")"
        tokens[-1] = "(" + tokens[-1][1:] + ")"
    if len(tokens) > 1 and _misread_annotation(tokens[-1]):
        tokens.pop()
    if len(tokens) > 1 and _STRAY_FULL_STOP.match(tokens[-1]):
        tokens[-1] = tokens[-1][:-1]  # an icon's dot after a surname: "Emma Silva." (initials, "Jr." are shorter)
    if tokens and tokens[-1].endswith(")") and "(" not in " ".join(tokens):
        tokens[-1] = tokens[-1].rstrip(")")  # an icon read as a closing bracket: "Farah Szabó)"
    name = display_name(" ".join(tokens))
    return name if sum(ch.isalpha() for ch in name) >= 2 else None
