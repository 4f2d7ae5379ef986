"""Participant names as teachers see them and as the store keys them (no SQLAlchemy: the bot uses these too).

:func:`display_name` drops meeting annotations; :func:`normalize_name` is the key a participant is
stored under (:mod:`analytics.schema` re-exports both); :func:`is_truncated` tells a label cut short.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ROLE_SUFFIX = re.compile(r"\(\s*(?:host|co-host|cohost|co host|me|guest)\s*\)", re.IGNORECASE)
# "(he/him)", "(she/her)", "(they/them)", "(he/they)", "(ze/zir)" ...: words joined by slashes.
_PRONOUNS = re.compile(r"\(\s*[^\W\d_]{1,6}(?:\s*/\s*[^\W\d_]{1,6})+\s*\)")
_TRAILING_ELLIPSIS = re.compile(r"(?:\.{2,}|…)+$")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def display_name(name: str) -> str:
    """A name label as shown to teachers: meeting annotations and extra spaces removed, case kept.

    NFKC-normalizes and drops "(Host)", "(Co-host)", "(Me)", "(Guest)" and pronoun
    parentheses such as "(he/him)". ``"  Ana  María (Host) "`` -> ``"Ana María"``.
    """
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", name))
    previous = None
    while previous != text:
        previous = text
        text = _ROLE_SUFFIX.sub(" ", text)
        text = _PRONOUNS.sub(" ", text)
        text = _SPACES.sub(" ", text).strip()
    return text


def is_truncated(name: str) -> bool:
    """Whether a label ends in an ellipsis (the platform cut a long name short)."""
    return bool(_TRAILING_ELLIPSIS.search(display_name(name)))


@lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """The key a participant is stored under: the same person gives the same key.

    :func:`display_name`, casefolded, with a trailing ellipsis left by a truncated
    name label ("..." or "…") stripped. ``"  Ana  María (Host) "`` -> ``"ana maría"``.
    """
    return _TRAILING_ELLIPSIS.sub("", display_name(name).casefold()).strip()
