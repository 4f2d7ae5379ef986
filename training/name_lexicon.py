"""The name reader's lexicon: every word of Faker's person names in the training locales.

``classmood train-names --lexicon`` writes it to ``model/weights/name_lexicon.txt``
(one word per line, sorted, UTF-8), which :class:`model.name_lexicon.NameLexicon`
loads. The words are Faker's own lists (first names of every gender, last
names) of :data:`training.name_texts.NAME_LOCALES`, split at spaces and hyphens;
the synthetic classes' name lists (:mod:`bot.synthetic.names`) are not used.
"""

from __future__ import annotations

from pathlib import Path

from model.name_lexicon import LEXICON_PATH
from training.name_texts import NAME_LOCALES

#: The person provider's word lists (not every locale has every one)
_NAME_LISTS = (
    "first_names",
    "first_names_female",
    "first_names_male",
    "first_names_nonbinary",
    "last_names",
    "last_names_female",
    "last_names_male",
)


def lexicon_words(locales: tuple[str, ...] = NAME_LOCALES) -> list[str]:
    """The sorted, distinct words of Faker's person names in ``locales``."""
    from faker import Faker

    words: set[str] = set()
    for locale in locales:
        for provider in Faker(locale).get_providers():
            if "person" not in type(provider).__module__.split("."):  # faker.providers.person[.LOCALE]
                continue
            for list_name in _NAME_LISTS:
                for name in getattr(provider, list_name, None) or ():
                    words.update(part for part in str(name).replace("-", " ").split() if len(part) >= 2)
    return sorted(words)


def write_lexicon(path: Path = LEXICON_PATH) -> int:
    """Write the lexicon to ``path``; returns its number of words."""
    words = lexicon_words()
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    return len(words)
