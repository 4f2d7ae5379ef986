"""The texts of the name reader's training labels: person names, annotations, dial-in numbers, random words.

The names come from Faker's person names in the Latin-script locales
(:data:`NAME_LOCALES`), with the annotations meeting clients add ("(Host)",
pronouns, dial-in numbers, long names cut with "…") and random strings over
the whole alphabet, so that rare letters are seen often enough. Some names
have letters swapped for another accented form of the same letter (Ødegård as
Ødegárd, Núñez as Nuñéz): see :func:`accent_families`. :mod:`training.name_data`
draws these texts on label strips (and re-exports this module's names).
"""

from __future__ import annotations

import random
import unicodedata
from functools import cache

from model.text_recognizer import CHARSET

#: Faker locales whose person names are written in the Latin script
NAME_LOCALES = (
    "en_US", "en_GB", "en_IN", "en_NG", "en_PH", "es_ES", "es_MX", "es_AR", "pt_BR", "pt_PT", "fr_FR", "fr_CA",
    "de_DE", "de_AT", "it_IT", "nl_NL", "pl_PL", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "tr_TR",
    "da_DK", "no_NO", "sv_SE", "fi_FI", "is_IS", "et_EE", "lv_LV", "lt_LT", "vi_VN", "id_ID", "fil_PH", "az_AZ",
    "sq_AL", "ga_IE", "yo_NG", "ig_NG", "ha_NG", "sw", "zu_ZA", "mt_MT", "bs_BA", "uz_UZ", "tw_GH",
)  # fmt: skip
#: Surname prefixes written with an apostrophe (Faker's names seldom have one)
ELISIONS = ("O'", "O'", "D'", "d'", "Dell'", "N'", "L'", "M'")
#: Share of person names with accents swapped, and of their letters swapped (:meth:`NameSource.text`)
ACCENT_SWAP_NAMES = 0.5
ACCENT_SWAP_LETTERS = 0.4
#: Letters with a stroke or slash, which Unicode does not decompose into a base letter and a mark
_STROKED = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
            "ı": "i", "ŀ": "l", "Ŀ": "L"}  # fmt: skip
ANNOTATIONS = (
    "(Host)", "(Co-host)", "(Guest)", "(Me)", "(she/her)", "(he/him)", "(they/them)", "(she/they)", "(he/they)",
    "(Host, me)", "(Unverified)", "(External)", "(Organizer)", "(Presenter)",
)  # fmt: skip


@cache
def accent_families() -> dict[str, tuple[str, ...]]:
    """Each letter of the alphabet that has other accented forms -> all forms of its base letter
    ("a" -> a à á â ã ä å ā ă ą ạ ả ...; "l" -> l ĺ ļ ľ ŀ ł), from Unicode's decompositions."""
    families: dict[str, list[str]] = {}
    for ch in CHARSET:
        if ch.isalpha():
            base = _STROKED.get(ch) or unicodedata.normalize("NFD", ch)[0]
            families.setdefault(base, []).append(ch)
    return {ch: tuple(members) for members in families.values() if len(members) > 1 for ch in members}


class NameSource:
    """Random label texts: person names, annotations, dial-in numbers, long names cut short, random strings."""

    def __init__(self, rng: random.Random) -> None:
        from faker import Faker

        self.rng = rng
        self.fakers = [Faker(locale) for locale in NAME_LOCALES]
        for index, fake in enumerate(self.fakers):
            fake.seed_instance(rng.randrange(2**31) + index)
        self.letters = [ch for ch in CHARSET if ch.isalpha()]

    def _person(self) -> str:
        fake = self.rng.choice(self.fakers)
        roll = self.rng.random()
        if roll < 0.12:
            return fake.first_name()
        if roll < 0.2:
            return f"{fake.first_name()} {fake.first_name()} {fake.last_name()}"
        if roll < 0.25:
            return f"{fake.first_name()} {fake.last_name()}-{fake.last_name()}"
        if roll < 0.28:
            return f"{fake.first_name()} {fake.last_name()[:1]}."
        if roll < 0.33:  # Irish, Italian and French elisions: O'Connor, D'Amico, d'Arcy
            return f"{fake.first_name()} {self.rng.choice(ELISIONS)}{fake.last_name()}"
        return f"{fake.first_name()} {fake.last_name()}"

    def _swap_accents(self, text: str) -> str:
        families = accent_families()
        return "".join(
            self.rng.choice(families[ch]) if ch in families and self.rng.random() < ACCENT_SWAP_LETTERS else ch
            for ch in text
        )

    def _random_word(self) -> str:
        length = self.rng.randint(2, 10)
        word = "".join(self.rng.choice(self.letters) for _ in range(length))
        if self.rng.random() < 0.7:
            # the first letter only: str.capitalize() lowercases the rest, and "İ".lower() is two code points
            capital = word[0].upper() + word[1:]
            return capital if len(capital) == len(word) else word
        return word

    def _phone(self) -> str:
        r = self.rng
        digits = lambda n: "".join(str(r.randint(0, 9)) for _ in range(n))  # noqa: E731
        return r.choice(
            [
                f"+{r.randint(1, 99)} {digits(3)}-***-**{digits(2)}",
                f"(•••) •••-••{digits(2)}",
                f"+{r.randint(1, 99)} {digits(3)} {digits(3)} {digits(4)}",
                f"Call-in User_{r.randint(1, 99)}",
                f"{digits(3)}-{digits(3)}-{digits(4)}",
                f"Dial-in {digits(4)}",
            ]
        )

    def text(self) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.07:
            text = self._phone()
        elif roll < 0.2:
            text = " ".join(self._random_word() for _ in range(r.randint(1, 3)))
        else:
            text = self._person()
            if r.random() < ACCENT_SWAP_NAMES:
                text = self._swap_accents(text)
            if r.random() < 0.05:
                text = text.upper() if r.random() < 0.5 else text.lower()
            if r.random() < 0.03:
                text = f"{text} {r.randint(1, 99)}"
            if r.random() < 0.03:
                text = f"{text} {r.choice(['II', 'III', 'Jr.', 'Sr.'])}"
        if r.random() < 0.18:
            text = f"{text} {r.choice(ANNOTATIONS)}"
        if r.random() < 0.08 and len(text) > 6:
            cut = r.randint(4, len(text) - 1)
            text = text[:cut].rstrip() + r.choice(["…", "…", "..."])
        return " ".join(text.split())
