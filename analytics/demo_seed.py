"""A synthetic class written through the real write path, for demos and tests.

:func:`seed_demo_class` plays a finished class of ``students`` over
``minutes``: every ``interval_s`` it builds the observations a bot would have
made (gallery tiles laid out in a grid, expression probabilities drifting
around each student's own baseline, class-wide moments such as a joke or a
hard exercise) and stores them with :meth:`Store.record_capture`. Scripted
events: one student leaves for a while and rejoins, one keeps the camera off,
one joins late. Stage timings in the capture rows are synthetic too.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from analytics.db import Database
from analytics.schema import EMOTIONS, utcnow
from analytics.store import ObservationIn, Store

DEMO_NAMES: tuple[str, ...] = (
    "Amara Okafor",
    "Ben Schultz",
    "Chloé Martin",
    "Diego Fernández",
    "Emily Chen",
    "Farah Haddad",
    "Gabriel Silva",
    "Hana Suzuki",
    "Ibrahim Yilmaz",
    "Julia Nowak",
    "Kwame Mensah",
    "Laura Rossi",
    "Mateo García",
    "Nadia Petrova",
    "Oliver Smith",
    "Priya Natarajan (she/her)",
    "Quentin Dubois",
    "Rosa Jiménez",
    "Samuel Cohen",
    "Tara O'Brien",
    "Umar Farooq",
    "Valentina Greco",
    "William Johnson",
    "Xin Wang",
    "Yara Haddad",
    "Zoe Müller",
    "Aarav Sharma",
    "Bianca Costa",
    "Carlos Mendes",
    "Dana Levi",
    "Elif Kaya",
    "Finn Larsen",
    "Grace Kim",
    "Hugo Lefebvre",
    "Ines Duarte",
    "Jonas Berg",
    "Kenji Watanabe",
    "Lina Alvarez",
    "Marco Bianchi",
    "Noor Aziz",
)

_TILE_W, _TILE_H = 320, 180


def demo_names(count: int) -> list[str]:
    """``count`` distinct display names (numbered once the list runs out)."""
    names = list(DEMO_NAMES[:count])
    k = 2
    while len(names) < count:
        names.extend(f"{name} {k}" for name in DEMO_NAMES[: count - len(names)])
        k += 1
    return names


def softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [v / total for v in exps]


def class_moment(fraction: float) -> list[float]:
    """Class-wide logit offsets at ``fraction`` of the session: a joke, then a hard exercise."""
    offset = [0.0] * len(EMOTIONS)
    joke = math.exp(-(((fraction - 0.30) / 0.025) ** 2))
    offset[EMOTIONS.index("happiness")] += 3.0 * joke
    offset[EMOTIONS.index("surprise")] += 1.0 * joke
    hard = math.exp(-(((fraction - 0.70) / 0.08) ** 2))
    offset[EMOTIONS.index("sadness")] += 1.5 * hard
    offset[EMOTIONS.index("fear")] += 0.8 * hard
    offset[EMOTIONS.index("anger")] += 0.4 * hard
    offset[EMOTIONS.index("happiness")] -= 0.8 * hard
    return offset


def seed_demo_class(
    db: Database,
    course: str = "Demo class",
    students: int = 30,
    minutes: float = 20,
    interval_s: float = 5,
    seed: int = 0,
) -> int:
    """Write a finished synthetic class (see the module docstring); returns the session id.

    By position in :func:`demo_names`: the 2nd student leaves from 35 % to 55 %
    of the class, the 3rd keeps the camera off, the 4th joins at 10 % and the
    6th looks a little sad at rest. The class ends now.
    """
    if students < 1 or minutes <= 0 or interval_s <= 0:
        raise ValueError("students, minutes and interval must be positive")
    rng = random.Random(seed)
    names = demo_names(students)
    n_captures = max(1, round(minutes * 60 / interval_s))
    start = utcnow().replace(microsecond=0) - timedelta(seconds=n_captures * interval_s)
    store = Store(db)
    session_id = store.start_session(
        course,
        started_at=start,
        source="synthetic demo class",
        interval_s=float(interval_s),
        notes=f"seed_demo_class(students={students}, minutes={minutes:g}, interval_s={interval_s:g}, seed={seed})",
    )
    baselines = _baselines(rng, len(names))
    state = [list(b) for b in baselines]
    for k in range(n_captures):
        fraction = k / n_captures
        at = start + timedelta(seconds=k * interval_s)
        here = [i for i in range(students) if _present(i, fraction)]
        observations = _observations(rng, names, here, state, baselines, class_moment(fraction))
        faces = sum(o.face_found for o in observations)
        timings = _timings(rng, len(here), faces)
        store.record_capture(
            session_id,
            at,
            observations,
            tiles=len(here),
            faces=faces,
            names=len(here),
            timings=timings,
            total_ms=round(sum(timings.values()), 2),
        )
    store.finish_session(session_id, ended_at=start + timedelta(seconds=n_captures * interval_s))
    return session_id


def _baselines(rng: random.Random, students: int) -> list[list[float]]:
    """Each student's resting expression logits; the 6th looks a little sad at rest."""
    baselines = []
    for _ in range(students):
        base = [rng.gauss(0.0, 0.4) for _ in EMOTIONS]
        base[EMOTIONS.index("neutral")] += 1.6
        base[EMOTIONS.index("happiness")] += rng.uniform(-0.3, 1.4)
        base[EMOTIONS.index("contempt")] -= 1.0
        baselines.append(base)
    if students > 5:  # one student who looks a little sad at rest
        baselines[5][EMOTIONS.index("sadness")] += 1.2
    return baselines


def _present(i: int, fraction: float) -> bool:
    """Whether student ``i`` is in class at ``fraction`` of it: the 2nd leaves for a while, the 4th joins late."""
    if i == 1 and 0.35 <= fraction < 0.55:
        return False
    return not (i == 3 and fraction < 0.10)


def _observations(
    rng: random.Random,
    names: list[str],
    here: list[int],
    state: list[list[float]],
    baselines: list[list[float]],
    moment: list[float],
) -> list[ObservationIn]:
    """One capture's observations of the students ``here``, tiles in a grid; drifts ``state`` in place.
    The 3rd student keeps the camera off, and anyone's face is missed now and then."""
    cols = max(1, math.ceil(math.sqrt(len(here))))
    observations = []
    for slot, i in enumerate(here):
        # Drift: pull back toward the baseline, plus noise.
        state[i] = [0.9 * s + 0.1 * b + rng.gauss(0.0, 0.25) for s, b in zip(state[i], baselines[i], strict=True)]
        x, y = (slot % cols) * _TILE_W, (slot // cols) * _TILE_H
        camera_on = i != 2 and rng.random() > 0.02
        probs = softmax([s + m for s, m in zip(state[i], moment, strict=True)]) if camera_on else None
        observations.append(
            ObservationIn(
                name=names[i],
                face_found=camera_on,
                tile_box=(x, y, _TILE_W, _TILE_H),
                probs=probs,
                face_box=(x + 110, y + 30, 100, 110) if camera_on else None,
            )
        )
    return observations


def _timings(rng: random.Random, tiles: int, faces: int) -> dict[str, float]:
    """Synthetic stage timings (ms) of one capture."""
    return {
        "capture": round(rng.uniform(6, 12), 2),
        "split": round(rng.uniform(0.5, 1.5), 2),
        "names": round(rng.uniform(0.2, 2.0), 2),
        "detect": round(1.1 * tiles + rng.uniform(0, 5), 2),
        "classify": round(0.6 * faces + rng.uniform(0, 3), 2),
    }
