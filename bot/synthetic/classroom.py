"""A whole synthetic class over time: frames a bot would capture, with the truth about each.

``simulate_class(students=30, minutes=20, interval_s=5, platform="zoom", seed=0)``
yields one :class:`ClassCapture` ``(at, frame, truth)`` every ``interval_s``
seconds of class. Each student has a resting mood (expression probabilities
around a personal baseline) that drifts, with class-wide moments: a joke at
30 % (happiness, surprise), a hard exercise around 70 % (sadness, fear).
Scripted events, by position in the student list (as in
:func:`analytics.demo_seed.seed_demo_class`): the 2nd student leaves from
35 % to 55 % and rejoins at the end of the gallery (the grid reflows), the
3rd keeps the camera off, the 4th joins late at 10 % (the layout changes), the
6th looks a little sad at rest. Someone speaks now and then (highlight
border); the instructor's own video floats as a self-view, not a tile.
``share=(0.4, 0.5)`` adds a screen-share stretch (a strip of tiles above the
slides).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from analytics.demo_seed import class_moment, softmax
from bot.frames import Frame
from bot.synthetic.names import random_names
from bot.synthetic.render import render_scene
from bot.synthetic.scene import EMOTIONS, FACES_PER_EMOTION, FrameTruth, Participant, Scene


class ClassCapture(NamedTuple):
    at: datetime
    frame: Frame
    truth: FrameTruth


def class_names(students: int, seed: int = 0) -> list[str]:
    """The students' display names for ``seed`` (accents, a long one, pronouns, a guest)."""
    return random_names(random.Random(seed * 7 + 1), students)


def _baselines(rng: random.Random, students: int) -> list[list[float]]:
    """Each student's resting mood: expression scores around a mostly neutral, somewhat happy personal baseline
    (the 6th student a little sad)."""
    baselines = []
    for _ in range(students):
        base = [rng.gauss(0.0, 0.4) for _ in EMOTIONS]
        base[EMOTIONS.index("neutral")] += 1.6
        base[EMOTIONS.index("happiness")] += rng.uniform(-0.3, 1.4)
        base[EMOTIONS.index("contempt")] -= 1.0
        baselines.append(base)
    if students > 5:
        baselines[5][EMOTIONS.index("sadness")] += 1.2
    return baselines


def _join_and_leave(order: list[int], students: int, fraction: float) -> None:
    """The scripted comings and goings at ``fraction`` of the class, on the gallery ``order`` (in place): the 4th
    student joins late at 10 %, the 2nd leaves from 35 % to 55 % and rejoins at the end of the gallery."""
    if students > 3 and 3 not in order and fraction >= 0.10:
        order.append(3)  # joins late: appended, the grid grows
    if students > 1 and 0.35 <= fraction < 0.55 and 1 in order:
        order.remove(1)  # leaves: the grid reflows
    if students > 1 and fraction >= 0.55 and 1 not in order:
        order.append(1)  # rejoins at the end


def simulate_class(
    students: int = 30,
    minutes: float = 20,
    interval_s: float = 5,
    platform: str = "zoom",
    seed: int = 0,
    *,
    start: datetime | None = None,
    size: tuple[int, int] = (1920, 1080),
    theme: str = "dark",
    chrome: str = "maximized",
    self_view: bool = True,
    share: tuple[float, float] | None = None,
) -> Iterator[ClassCapture]:
    """Captures of a synthetic class (see the module docstring), oldest first."""
    if students < 1 or minutes <= 0 or interval_s <= 0:
        raise ValueError("students, minutes and interval must be positive")
    rng = random.Random(seed)
    names = class_names(students, seed)
    looks = [rng.randrange(1 << 30) for _ in names]
    baselines = _baselines(rng, students)
    state = [list(b) for b in baselines]
    shown = [max(EMOTIONS, key=lambda e, b=b: b[EMOTIONS.index(e)]) for b in baselines]
    n_captures = max(1, round(minutes * 60 / interval_s))
    if start is None:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=n_captures * interval_s)
    order = [i for i in range(students) if i != 3]  # gallery order: by joining
    speaker: int | None = None
    for k in range(n_captures):
        fraction = k / n_captures
        _join_and_leave(order, students, fraction)
        moment = class_moment(fraction)
        for i in range(students):
            state[i] = [0.9 * s + 0.1 * b + rng.gauss(0.0, 0.25) for s, b in zip(state[i], baselines[i], strict=True)]
            if rng.random() < 0.35:  # expressions change now and then, not every capture
                probs = softmax([s + m for s, m in zip(state[i], moment, strict=True)])
                shown[i] = rng.choices(EMOTIONS, weights=probs)[0]
        if k % 6 == 0:
            speaker = rng.choice(order) if rng.random() < 0.4 else None
        people = [
            Participant(
                name=names[i],
                emotion=None if i == 2 else shown[i],
                face=i % FACES_PER_EMOTION,
                camera="off" if i == 2 else "on",
                muted=i != speaker,
                avatar=True,
                look=looks[i],
            )
            for i in order
        ]
        sharing = share is not None and share[0] <= fraction < share[1]
        scene = Scene(
            participants=people,
            platform=platform,
            theme=theme,
            layout="share_top" if sharing else "gallery",
            per_page=49,
            speaker=order.index(speaker) if speaker in order else None,
            self_view=self_view,
            self_name="Instructor (Host)",
            chrome=chrome,
            size=size,
            content="slides",
            seed=seed * 100_003,  # the same desktop and chrome all class long
            tags=("class",),
        )
        image, truth = render_scene(scene)
        for tile in truth.tiles:  # participant index -> the student's index in the class list
            tile.participant = order[tile.participant]
        at = start + timedelta(seconds=k * interval_s)
        yield ClassCapture(at, Frame(image=image, captured_at=at, source=f"synthetic {platform} class", index=k), truth)
