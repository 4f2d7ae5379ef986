"""Realistic participant names as meeting platforms show them.

First and last names from many languages (some accented), a few very long
ones that the platforms cut with "…", and the annotations people see next to
names: "(Host)", "(Me)", "(Guest)", pronouns such as "(she/her)", dial-in
numbers. :func:`normalize_name` is the store's key (``analytics.schema``).
"""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Amara",
    "Ben",
    "Chloé",
    "Diego",
    "Emily",
    "Farah",
    "Gabriel",
    "Hana",
    "Ibrahim",
    "Julia",
    "Kwame",
    "Laura",
    "Mateo",
    "Nadia",
    "Oliver",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Valentina",
    "William",
    "Xin",
    "Yara",
    "Zoë",
    "Aarav",
    "Bianca",
    "Carlos",
    "Dana",
    "Elif",
    "Finn",
    "Grace",
    "Hugo",
    "Inês",
    "Jonas",
    "Kenji",
    "Lina",
    "Marco",
    "Noor",
    "Łukasz",
    "Søren",
    "François",
    "José",
    "Björn",
    "Agnieszka",
    "Renée",
    "Åsa",
    "Şebnem",
    "Mihály",
    "Tomáš",
    "Zoltán",
    "Joaquín",
    "Maëlle",
    "Nuño",
    "Ayşe",
    "Dorothée",
    "Ørjan",
    "Jiří",
    "Małgorzata",
    "Sophie",
    "Lucas",
    "Mia",
    "Noah",
    "Emma",
    "Liam",
    "Ava",
    "Ethan",
    "Isabella",
    "Mason",
    "Olivia",
    "Daniel",
)
LAST_NAMES = (
    "Okafor",
    "Schultz",
    "Martin",
    "Fernández",
    "Chen",
    "Haddad",
    "Silva",
    "Suzuki",
    "Yilmaz",
    "Nowak",
    "Mensah",
    "Rossi",
    "García",
    "Petrova",
    "Smith",
    "Natarajan",
    "Dubois",
    "Jiménez",
    "Cohen",
    "O'Brien",
    "Farooq",
    "Greco",
    "Johnson",
    "Wang",
    "Müller",
    "Sharma",
    "Costa",
    "Mendes",
    "Levi",
    "Kaya",
    "Larsen",
    "Kim",
    "Lefebvre",
    "Duarte",
    "Berg",
    "Watanabe",
    "Alvarez",
    "Bianchi",
    "Aziz",
    "Kowalczyk",
    "Søndergaard",
    "Ødegård",
    "Dvořák",
    "Håkansson",
    "Núñez",
    "Çelik",
    "Łęcki",
    "Szabó",
    "Gonçalves",
    "Nguyễn",
    "Brontë",
    "Lindqvist",
    "Papadopoulos",
    "Van der Berg",
)
LONG_NAMES = (
    "Maximiliano Alejandro Fernández-Castellanos de la Vega",
    "Anna-Katharina Schönberger-Wittgenstein",
    "Oluwaseun Adebayo-Oyelaran Akinwumi",
    "Venkatanarasimharajuvaripeta Subramanian",
    "Christopher Montgomery-Fitzwilliam III",
    "Marie-Françoise Delacroix-Beauharnais",
)
PRONOUNS = ("(she/her)", "(he/him)", "(they/them)", "(she/they)")
ROLES = ("(Host)", "(Co-host)", "(Guest)")


def phone_label(rng: random.Random, platform: str) -> str:
    """How a dial-in participant is shown: a masked number (Meet, Teams) or a call-in name (Zoom)."""
    digits = rng.randint(10, 99)
    if platform == "meet":
        return f"(•••) •••-••{digits}"
    if platform == "teams":
        return f"+1 425-***-**{digits}"
    return rng.choice([f"Call-in User_{rng.randint(1, 9)}", f"+1 415 555 01{digits}"])


def random_names(rng: random.Random, count: int, long_share: float = 0.06, annotated_share: float = 0.12) -> list[str]:
    """``count`` distinct display names; some long, some with a pronoun or a "(Guest)" suffix."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        if rng.random() < long_share:
            base = rng.choice(LONG_NAMES)
        else:
            base = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if base in seen:
            if len(seen) >= len(FIRST_NAMES) * len(LAST_NAMES) // 2:
                base = f"{base} {len(names)}"
            else:
                continue
        seen.add(base)
        roll = rng.random()
        if roll < annotated_share / 2:
            base = f"{base} {rng.choice(PRONOUNS)}"
        elif roll < annotated_share:
            base = f"{base} (Guest)"
        names.append(base)
    return names


def initials(name: str) -> str:
    """Two letters for an avatar circle: first letters of the first and last word (annotations dropped)."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha() and not w.startswith("(")]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


def normalize_name(name: str) -> str:
    """The key the store files a participant under (see :func:`analytics.schema.normalize_name`)."""
    from analytics.names import normalize_name as _normalize

    return _normalize(name)
