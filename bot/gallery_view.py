"""Asking the meeting client for its gallery (tiled) view, where the client has a keyboard shortcut for it.

:func:`ensure_gallery` brings the meeting window to the front and presses the platform's shortcut (from
:mod:`bot.platforms`); where that cannot be done it logs how to switch by hand. Re-exported by
:mod:`bot.paging`, where it used to live (its messages still log under ``bot.paging``).
"""

from __future__ import annotations

import logging
import sys
import time

from bot.platforms import PLATFORMS, guess_from_title
from bot.sources.base import Source

log = logging.getLogger("bot.paging")  # the logger these messages always had


#: keyboard shortcuts for the gallery view, by (platform, sys.platform) (from :mod:`bot.platforms`)
GALLERY_SHORTCUTS: dict[tuple[str, str], tuple[str, ...]] = {
    (name, os_name): keys for name, p in PLATFORMS.items() for os_name, keys in p.gallery_shortcuts.items()
}

#: what the user is told where no shortcut is pressed
GALLERY_ADVICE = {name: p.gallery_advice for name, p in PLATFORMS.items()}


def guess_platform(source: Source) -> str | None:
    """The platform (zoom, meet, teams, webex) from a window source's title, else None."""
    return guess_from_title(str(getattr(source, "title", "") or ""))


def _key_name(keys: tuple[str, ...]) -> str:
    names = {"alt": "Alt", "command": "Cmd", "shift": "Shift", "ctrl": "Ctrl"}
    return "+".join(names.get(k, k.upper()) for k in keys)


def ensure_gallery(source: Source, platform: str | None, dry_run: bool = False, *, os_name: str | None = None) -> str:
    """Switch the meeting client to its gallery view where that can be done with a shortcut.

    Done for Zoom on Windows (Alt+F2) and macOS (Cmd+Shift+W): the meeting window is brought to
    the front (window sources only, so the keys reach the meeting and nothing else), then the
    shortcut is pressed. Not done for Zoom on Linux (most Linux desktops keep Alt+F2 for their run
    dialog), Google Meet and Teams (no layout shortcut), nor for screen/region sources (the bot
    does not know which window would get the keys) or recordings. Where it is not done, the log
    says how to do it by hand. Returns what was done, as one line. ``os_name`` overrides
    ``sys.platform`` (tests).
    """
    os_name = os_name or sys.platform
    platform = (platform or guess_platform(source) or "").lower() or None
    if not source.live:
        message = f"gallery view: nothing to switch in a recording ({source.describe()})"
        log.info(message)
        return message
    advice = GALLERY_ADVICE.get(platform or "", "switch the meeting client to its gallery (tiled) view")
    keys = GALLERY_SHORTCUTS.get((platform or "", os_name))
    if keys is None:
        why = f"no shortcut for {platform} on {os_name}" if platform else "the meeting platform is not known"
        message = f"gallery view not switched automatically ({why}): {advice}"
        log.warning(message)
        return message
    if source.kind != "window" or not hasattr(source, "activate"):
        message = (
            f"gallery view not switched: pressing {_key_name(keys)} needs a window source "
            f"(--source window:TITLE) so the keys reach the meeting window; {advice}"
        )
        log.warning(message)
        return message
    target = getattr(source, "title", "the meeting window")
    if dry_run:
        message = f'dry run: would bring "{target}" to the front and press {_key_name(keys)} (gallery view)'
        log.info(message)
        return message
    from bot.paging import load_pyautogui  # bot.paging re-exports this module

    pyautogui = load_pyautogui()
    source.activate()
    time.sleep(0.3)  # let the window manager hand over the focus
    try:
        pyautogui.hotkey(*keys, _pause=False)
    except pyautogui.FailSafeException:
        message = "gallery view not switched: pyautogui's fail-safe is on (the mouse is in a screen corner)"
        log.warning(message)
        return message
    message = f'gallery view: pressed {_key_name(keys)} in "{target}"'
    log.info(message)
    return message
