"""Driving the meeting client: gallery view, and paging through a gallery of several pages.

:func:`ensure_gallery` (:mod:`bot.gallery_view`, re-exported here) asks the client for its gallery
(tiled) view where the client has a keyboard shortcut for it. :class:`PageTurner` (``--all-pages``)
reads every page of a gallery that has more than one, each capture cycle: it clicks the *next* arrow
that the gallery splitter found in the frame, waits for the client to redraw and checks (by grabbing
again) that the page really changed, keeps the ``(frame, gallery)`` of each page, then clicks
*previous* until the client is back on page 1. Nothing but the detected arrows is ever clicked, and
only inside the captured area; ``dry_run=True`` clicks nothing and logs what it would click.

Clicks are real pyautogui clicks (XTest on Linux, so ``DISPLAY`` must be the meeting's display).
pyautogui's fail-safe stays on: moving the mouse into a screen corner makes pyautogui refuse to
click, and the turner then stops paging for the rest of the session (captures go on with the
page that is showing) - the instructor's way to take the mouse back from the bot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from bot.frames import Box, Frame, Gallery, PageControls
from bot.gallery_view import GALLERY_ADVICE, GALLERY_SHORTCUTS, ensure_gallery, guess_platform
from bot.sources.base import Source, SourceError, SourceUnavailable

log = logging.getLogger(__name__)

Split = Callable[[np.ndarray], Gallery]


class PagingError(SourceError):
    """Clicking is not possible here (pyautogui missing, no display).

    A :class:`SourceError`, so code that turns source errors into one-line user messages covers it.
    """


class PageCapture(NamedTuple):
    """One page of the gallery: unpacks as ``frame, gallery``."""

    frame: Frame
    gallery: Gallery


class _Stuck(Exception):
    """A page turn that did not happen (no arrow, or the page did not change in time)."""


def load_pyautogui() -> Any:
    """pyautogui, imported on first use (on Linux it connects to $DISPLAY when imported)."""
    from bot.window import ensure_xauthority, quiet_xauth

    ensure_xauthority()
    try:
        with quiet_xauth():
            import pyautogui
    except ImportError as error:
        raise PagingError(f"clicking needs the pyautogui package ({error}); pip install pyautogui") from None
    except Exception as error:  # KeyError('DISPLAY'), Xlib display errors
        detail = "DISPLAY is not set" if isinstance(error, KeyError) else str(error)
        raise PagingError(f"clicking needs a display pyautogui can use: {detail}") from None
    return pyautogui


# ------------------------------------------------------------------------------------------ paging


def _centre(box: Box) -> tuple[float, float]:
    x, y, w, h = box
    return (x + w / 2.0, y + h / 2.0)


def _is_multi_page(controls: PageControls | None) -> bool:
    if controls is None:
        return False
    if controls.total is not None:
        return controls.total > 1
    return controls.next_arrow is not None or controls.previous_arrow is not None


def _at_first(controls: PageControls | None) -> bool:
    if controls is None:
        return True
    if controls.current is not None:
        return controls.current <= 1
    return controls.previous_arrow is None


def _at_last(controls: PageControls | None) -> bool:
    if controls is None:
        return True
    if controls.current is not None and controls.total is not None:
        return controls.current >= controls.total
    return controls.next_arrow is None


def _page_text(controls: PageControls | None) -> str:
    if controls is None or controls.current is None:
        return "page ?"
    return f"page {controls.current}/{controls.total}" if controls.total else f"page {controls.current}"


class PageTurner:
    """Pages through a multi-page gallery each capture cycle and returns to page 1.

    ``split`` turns a frame's image into a :class:`Gallery` whose ``pages`` holds the page
    indicator and the arrow boxes detected in that frame. ``settle_s`` is the wait after a
    click before checking the page changed; the check is repeated until ``timeout_s``, after which
    the turner gives up on this cycle (keeping the pages it has) and tries to go back to page 1.
    """

    def __init__(
        self,
        source: Source,
        split: Split,
        *,
        dry_run: bool = False,
        settle_s: float = 0.5,
        timeout_s: float = 5.0,
        max_pages: int = 50,
        restore_pointer: bool = True,
    ) -> None:
        self.source = source
        self.split = split
        self.dry_run = dry_run
        self.settle_s = max(0.0, float(settle_s))
        self.timeout_s = max(self.settle_s, float(timeout_s))
        self.max_pages = max(1, int(max_pages))
        self.restore_pointer = restore_pointer
        #: False once paging was switched off (fail-safe, or a source that cannot be clicked)
        self.enabled = True
        #: why the last cycle did not read every page or did not get back to page 1 (None: it did)
        self.last_problem: str | None = None
        #: screen points clicked in the last cycle, with why (for logs and tests)
        self.clicks: list[tuple[int, int, str]] = []
        #: in a dry run: the click the last cycle would have made first (screen x, y, why)
        self.would_click: list[tuple[int, int, str]] = []
        self._pyautogui: Any = None
        self._dry_run_logged = False
        if not source.live:
            self.enabled = False
            log.info("--all-pages: %s is a recording; only the page it shows is read", source.describe())
        elif not dry_run:
            self._pyautogui = load_pyautogui()

    # -- the cycle
    def collect(self, first: Frame | None = None) -> list[PageCapture]:
        """Every page of the gallery, page 1 first (just ``first`` when the gallery has one page).

        ``first`` is the frame the capture cycle already grabbed (grabbed here when None).
        """
        self.last_problem = None
        self.clicks = []
        self.would_click = []
        frame = first if first is not None else self.source.grab()
        gallery = self.split(frame.image)
        if not self.enabled or not _is_multi_page(gallery.pages):
            return [PageCapture(frame, gallery)]
        if self.dry_run:
            self._log_dry_run(frame, gallery)
            return [PageCapture(frame, gallery)]

        pages: list[PageCapture] = []
        pointer = self._pointer()
        try:
            try:
                steps = 0
                while not _at_first(gallery.pages) and steps < self.max_pages:  # someone left it on a later page
                    frame, gallery = self._turn(frame, gallery, -1)
                    steps += 1
                pages.append(PageCapture(frame, gallery))
                while not _at_last(gallery.pages):
                    if len(pages) >= self.max_pages:
                        self._problem(f"stopped after {self.max_pages} pages ({_page_text(gallery.pages)})")
                        break
                    frame, gallery = self._turn(frame, gallery, +1)
                    pages.append(PageCapture(frame, gallery))
            except _Stuck as stuck:
                self._problem(str(stuck))
            self._rewind(frame, gallery)
        except self._failsafe_error() as error:
            self._fail_safe(error)
            pointer = None  # the user has the mouse: leave it where they put it
        finally:
            self._move_pointer(pointer)
        return pages or [PageCapture(frame, gallery)]

    def _rewind(self, frame: Frame, gallery: Gallery) -> None:
        steps = 0
        while not _at_first(gallery.pages):
            if steps >= self.max_pages:
                self._problem(f"could not get back to page 1 in {self.max_pages} clicks")
                return
            try:
                frame, gallery = self._turn(frame, gallery, -1)
            except _Stuck as stuck:
                self._problem(f"could not get back to page 1: {stuck}")
                return
            steps += 1

    # -- one page turn
    def _turn(self, frame: Frame, gallery: Gallery, step: int) -> tuple[Frame, Gallery]:
        controls = gallery.pages or PageControls()
        name = "next" if step > 0 else "previous"
        arrow = controls.next_arrow if step > 0 else controls.previous_arrow
        here = _page_text(controls)
        if arrow is None:
            raise _Stuck(f"no {name} arrow found on {here}")
        if not self._inside(arrow, frame):
            raise _Stuck(f"the {name} arrow {arrow} is not inside the captured area; not clicking it")
        fx, fy = _centre(arrow)
        sx, sy = self.source.to_screen(fx, fy)
        expected = controls.current + step if controls.current is not None else None
        why = f"{name} arrow on {here}" + (f" -> page {expected}" if expected is not None else "")
        self._click(sx, sy, why)

        deadline = time.monotonic() + self.timeout_s
        time.sleep(self.settle_s)
        while True:
            try:
                new_frame = self.source.grab()
            except SourceUnavailable:
                new_frame = None
            if new_frame is not None:
                new_gallery = self.split(new_frame.image)
                if self._changed(frame, gallery, new_frame, new_gallery, expected):
                    log.debug("paging: now on %s", _page_text(new_gallery.pages))
                    return new_frame, new_gallery
            if time.monotonic() >= deadline:
                raise _Stuck(
                    f"clicked the {why} at ({sx}, {sy}) but the page did not change within {self.timeout_s:g} s"
                )
            time.sleep(min(max(self.settle_s / 2.0, 0.05), max(deadline - time.monotonic(), 0.0)))

    @staticmethod
    def _changed(frame: Frame, gallery: Gallery, new_frame: Frame, new_gallery: Gallery, expected: int | None) -> bool:
        before, after = gallery.pages, new_gallery.pages
        if expected is not None and after is not None and after.current is not None:
            return after.current == expected
        if after is not None and before is not None and after.current is not None and before.current is not None:
            return after.current != before.current
        # no page indicator: the tiles must look different
        area = new_gallery.area or gallery.area
        a, b = frame.image, new_frame.image
        if a.shape != b.shape:
            return True
        if area is not None:
            x, y, w, h = area
            a, b = a[y : y + h, x : x + w], b[y : y + h, x : x + w]
        return bool(a.size) and float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16)))) > 2.0

    @staticmethod
    def _inside(box: Box, frame: Frame) -> bool:
        x, y, w, h = box
        width, height = frame.size
        return w > 0 and h > 0 and x >= 0 and y >= 0 and x + w <= width and y + h <= height

    # -- clicking
    def _click(self, x: int, y: int, why: str) -> None:
        self.clicks.append((x, y, why))
        log.debug("paging: clicking the %s at screen (%d, %d)", why, x, y)
        self._pyautogui.click(x, y, _pause=False)

    def _failsafe_error(self) -> type[BaseException]:
        return getattr(self._pyautogui, "FailSafeException", _NeverRaised)

    def _fail_safe(self, error: BaseException) -> None:
        self.enabled = False
        self._problem(
            "paging switched off: pyautogui's fail-safe triggered (the mouse was moved into a screen corner); "
            "captures go on with the page that is showing"
        )
        log.debug("fail-safe: %s", error)

    def _pointer(self) -> tuple[int, int] | None:
        if not self.restore_pointer or self._pyautogui is None:
            return None
        try:
            x, y = self._pyautogui.position()
            return (int(x), int(y))
        except Exception:
            return None

    def _move_pointer(self, pointer: tuple[int, int] | None) -> None:
        if pointer is None or not self.clicks:
            return
        try:
            self._pyautogui.moveTo(*pointer, _pause=False)
        except Exception as error:  # fail-safe corner, display gone: the pointer stays where it is
            log.debug("could not put the pointer back: %s", error)

    def _problem(self, text: str) -> None:
        self.last_problem = text
        log.warning("--all-pages: %s", text)

    def _log_dry_run(self, frame: Frame, gallery: Gallery) -> None:
        controls = gallery.pages or PageControls()
        here = _page_text(controls)
        if not _at_first(controls):
            arrow, name, goal = controls.previous_arrow, "previous", "go back to page 1 first"
        else:
            arrow, name, goal = controls.next_arrow, "next", "show the next page"
        if arrow is None:
            text = f"dry run: {here}, but no {name} arrow was found to click"
        else:
            sx, sy = self.source.to_screen(*_centre(arrow))
            fx, fy = (round(v) for v in _centre(arrow))
            self.would_click.append((sx, sy, f"{name} arrow on {here}"))
            text = (
                f"dry run: {here}: would click the {name} arrow at screen ({sx}, {sy}) (frame ({fx}, {fy})) to "
                f"{goal}, read each page, then click the previous arrow until back on page 1; clicked nothing"
            )
        level = logging.DEBUG if self._dry_run_logged else logging.INFO
        log.log(level, text)
        self._dry_run_logged = True
        self.last_problem = None


class _NeverRaised(Exception):
    """Stands for pyautogui.FailSafeException when pyautogui is not loaded (dry run)."""


__all__ = [
    "GALLERY_ADVICE",
    "GALLERY_SHORTCUTS",
    "PageCapture",
    "PageTurner",
    "PagingError",
    "ensure_gallery",
    "guess_platform",
]
