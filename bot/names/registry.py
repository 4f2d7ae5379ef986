"""Stable identities within a session: one stored name per student, whatever its labels read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from analytics.names import is_truncated, normalize_name

#: A cut-short label matches a full name only on at least this many characters.
MIN_TRUNCATED_MATCH = 8


@dataclass
class ParticipantRegistry:
    """Keeps each student's identity stable within a session.

    - A truncated label ("Alexandra Konstantin…") and the full name seen in a
      wider tile are the same person, stored under the full name where it is
      known: from this session, or from the class's earlier sessions
      (:meth:`know`). A truncated label stays stored with its dots (flagged:
      :func:`analytics.names.is_truncated`) until the full name is seen.
    - Two tiles with the same name in one frame are two people: the second is
      stored as "Name (2)".
    - A tile whose label cannot be read gets a placeholder ("Unnamed 3") tied
      to its label's look, never the name of another student.
    """

    _stored: dict[str, str] = field(default_factory=dict)  # normalized key -> name stored for that person
    _placeholders: dict[int, str] = field(default_factory=dict)

    def know(self, names: Iterable[str]) -> None:
        """Participants of the class seen before (the store's names): a truncated label that only one of
        them begins with is that student, not a new one."""
        for name in names:
            if name and not is_truncated(name):
                self._stored.setdefault(normalize_name(name), name)

    def _canonical(self, name: str) -> str:
        """The name this person is stored under: the full name where one is known, else the first form seen."""
        key = normalize_name(name)
        if key in self._stored and not (is_truncated(self._stored[key]) and not is_truncated(name)):
            return self._stored[key]
        truncated = is_truncated(name)
        matches = {
            known
            for known_key, known in self._stored.items()
            if min(len(key), len(known_key)) >= MIN_TRUNCATED_MATCH
            and ((truncated and known_key.startswith(key)) or (is_truncated(known) and key.startswith(known_key)))
        }
        full = {known for known in matches if not is_truncated(known)}
        if not truncated and len(full) <= 1 and len(matches - full) >= 1:
            # the full name of a label seen cut short: from now on both are stored under the full name
            fulls = [k for k, known in self._stored.items() if not is_truncated(known)]
            for known_key, known in list(self._stored.items()):
                others = any(other.startswith(known_key) for other in fulls)  # then it may be them: leave it
                if known in matches and is_truncated(known) and not others:
                    self._stored[known_key] = name
            self._stored[key] = name
            return name
        if len(matches) == 1 or len(full) == 1:  # a unique prefix match only: never merge two students
            (known,) = full or matches
            self._stored[key] = known
            return known
        self._stored[key] = name
        return name

    def resolve(self, names: Sequence[str | None], label_keys: Sequence[int | None]) -> list[str]:
        """Stored participant names for one frame's tiles (read names, or None where unreadable)."""
        resolved: list[str] = []
        seen: dict[str, int] = {}
        for name, label_key in zip(names, label_keys, strict=True):
            if name:
                person = self._canonical(name)
            else:
                placeholder_key = label_key if label_key is not None else -len(resolved) - 1
                person = self._placeholders.setdefault(placeholder_key, f"Unnamed {len(self._placeholders) + 1}")
            key = normalize_name(person)
            seen[key] = seen.get(key, 0) + 1
            resolved.append(person if seen[key] == 1 else f"{person} ({seen[key]})")
        return resolved
