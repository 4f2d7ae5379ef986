"""Finding the meeting window (Zoom, Meet in a browser, Teams) by title, and where it is now.

A backend lists top-level windows with their titles and reports a window's current client-area
rectangle in screen coordinates (re-queried on every call, so a source follows a window that is
moved or resized). Backends:

- **X11** (Linux, BSD; also XWayland windows): python-xlib, through the EWMH client list
  (``_NET_CLIENT_LIST``) when a window manager provides it, else the window tree.
- **Windows / macOS**: pywinctl (or pygetwindow on Windows) when installed.

Pure Wayland sessions give no application a way to list other windows: there the user is told
to capture the screen or a region instead.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]


class WindowError(Exception):
    """Window finding cannot work here (no display, unsupported platform, missing package)."""


class WindowGone(Exception):
    """The window no longer exists (it was closed)."""


@dataclass(frozen=True)
class WindowInfo:
    """A top-level window: an opaque handle, its title, client-area rectangle and whether it is shown."""

    handle: Any
    title: str
    rect: Rect
    visible: bool = True

    @property
    def area(self) -> int:
        return max(self.rect[2], 0) * max(self.rect[3], 0)


@dataclass(frozen=True)
class WindowState:
    title: str
    rect: Rect
    visible: bool


class WindowBackend(Protocol):
    name: str

    def list_windows(self) -> list[WindowInfo]: ...

    def state(self, handle: Any) -> WindowState:
        """Current title, rectangle and visibility; :class:`WindowGone` when it was closed."""
        ...

    def activate(self, handle: Any) -> None: ...

    def close(self) -> None: ...


# ---------------------------------------------------------------------------------------------- X11


def ensure_xauthority() -> None:
    """Let python-xlib connect where there is no X authority file (Xvfb, some kiosk sessions).

    The python3-xlib that pyautogui installs fails to connect at all when ``~/.Xauthority`` is
    missing, where libX11 just connects without a cookie; pointing ``XAUTHORITY`` at an empty
    file makes it do the same. Nothing changes where the file exists or XAUTHORITY is set.
    """
    if not sys.platform.startswith("linux") or os.environ.get("XAUTHORITY"):
        return
    home = os.environ.get("HOME")
    if not home or not os.path.exists(os.path.join(home, ".Xauthority")):
        os.environ["XAUTHORITY"] = os.devnull


@contextlib.contextmanager
def quiet_xauth() -> Iterator[None]:
    """Swallow what python3-xlib prints while connecting ("no xauthority details available")."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        yield
    for line in printed.getvalue().splitlines():
        log.debug("python-xlib: %s", line)


class X11Backend:
    """Top-level windows of an X11 display, through python-xlib."""

    name = "X11"

    def __init__(self, display: str | None = None) -> None:
        try:
            import Xlib.display
            import Xlib.error
        except ImportError as error:
            raise WindowError(f"window capture on X11 needs python-xlib ({error}); it comes with pyautogui") from None
        name = display or os.environ.get("DISPLAY")
        if not name:
            raise WindowError(
                "no X display: DISPLAY is not set (window capture needs an X11 session; under pure Wayland "
                "use screen or region instead)"
            )
        ensure_xauthority()
        try:
            with quiet_xauth():
                self._display = Xlib.display.Display(name)
        except Exception as error:  # DisplayNameError, DisplayConnectionError, ConnectionClosedError, OSError
            raise WindowError(f"cannot open the X display {name!r}: {error}") from None
        self._lock = threading.RLock()
        self._root = self._display.screen().root
        atom = self._display.intern_atom
        self._net_client_list = atom("_NET_CLIENT_LIST")
        self._net_wm_name = atom("_NET_WM_NAME")
        self._utf8 = atom("UTF8_STRING")
        self._net_active = atom("_NET_ACTIVE_WINDOW")
        self._wm_state = atom("WM_STATE")

    # -- helpers
    def _window(self, handle: int) -> Any:
        return self._display.create_resource_object("window", int(handle))

    def _client_ids(self) -> list[int] | None:
        """EWMH client list (managed windows, stacking not guaranteed), or None without an EWMH manager."""
        prop = self._root.get_full_property(self._net_client_list, 0)  # AnyPropertyType
        if prop is None:
            return None
        return [int(v) for v in prop.value]

    def _tree_ids(self) -> list[int]:
        """Without a window manager's list: mapped windows with a name, at most two levels below the root."""
        found: list[int] = []
        for child in self._root.query_tree().children:
            for win in [child, *self._safe_children(child)]:
                try:
                    if win.get_attributes().map_state != 2:  # IsViewable
                        continue
                    if self._title_of(win):
                        found.append(int(win.id))
                        break
                except Exception:
                    continue
        return found

    @staticmethod
    def _safe_children(win: Any) -> list[Any]:
        try:
            return list(win.query_tree().children)
        except Exception:
            return []

    def _title_of(self, win: Any) -> str:
        prop = win.get_full_property(self._net_wm_name, self._utf8)
        value = prop.value if prop is not None else None
        if not value:
            value = win.get_wm_name()
        if value is None:
            return ""
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if not isinstance(value, str):  # an array of byte values (old python3-xlib)
            try:
                return bytes(value).decode("utf-8", "replace")
            except (TypeError, ValueError):
                return str(value)
        return value

    def _state(self, win: Any, clients: list[int] | None) -> WindowState:
        geometry = win.get_geometry()
        origin = self._root.translate_coords(win, 0, 0)
        viewable = win.get_attributes().map_state == 2  # IsViewable
        if not viewable and clients is not None and int(win.id) not in clients:
            raise WindowGone(f"window {int(win.id):#x} was withdrawn")
        return WindowState(
            title=self._title_of(win),
            rect=(int(origin.x), int(origin.y), int(geometry.width), int(geometry.height)),
            visible=viewable,
        )

    # -- backend API
    def list_windows(self) -> list[WindowInfo]:
        import Xlib.error

        with self._lock:
            clients = self._client_ids()
            ids = clients if clients is not None else self._tree_ids()
            windows = []
            for wid in ids:
                try:
                    state = self._state(self._window(wid), clients)
                except (Xlib.error.XError, WindowGone):
                    continue  # closed while we looked
                windows.append(WindowInfo(handle=wid, title=state.title, rect=state.rect, visible=state.visible))
            return windows

    def state(self, handle: Any) -> WindowState:
        import Xlib.error

        with self._lock:
            try:
                return self._state(self._window(handle), self._client_ids())
            except (Xlib.error.BadWindow, Xlib.error.BadDrawable, Xlib.error.BadMatch) as error:
                raise WindowGone(f"window {int(handle):#x} no longer exists ({type(error).__name__})") from None

    def activate(self, handle: Any) -> None:
        """Ask the window manager to raise and focus the window (EWMH), falling back to plain focus."""
        import Xlib.X
        from Xlib.protocol import event

        with self._lock:
            win = self._window(handle)
            message = event.ClientMessage(
                window=win, client_type=self._net_active, data=(32, [2, Xlib.X.CurrentTime, 0, 0, 0])
            )
            mask = Xlib.X.SubstructureRedirectMask | Xlib.X.SubstructureNotifyMask
            self._root.send_event(message, event_mask=mask)
            if self._client_ids() is None:  # no window manager to do it
                win.raise_window()
                win.set_input_focus(Xlib.X.RevertToParent, Xlib.X.CurrentTime)
            self._display.sync()

    def close(self) -> None:
        with self._lock, contextlib.suppress(Exception):
            self._display.close()


# ------------------------------------------------------------------------------- Windows and macOS


class PyWinCtlBackend:
    """Windows and macOS windows through pywinctl (or pygetwindow, Windows only)."""

    def __init__(self) -> None:
        module = None
        for name in ("pywinctl", "pygetwindow"):
            try:
                module = __import__(name)
                break
            except Exception as error:  # ImportError, or a platform it does not support
                log.debug("window backend %s unavailable: %s", name, error)
        if module is None or not hasattr(module, "getAllWindows"):
            raise WindowError(
                f"window capture on {sys.platform} needs pywinctl (pip install pywinctl); "
                "capture the screen or a region instead"
            )
        self._module = module
        self.name = module.__name__

    @staticmethod
    def _key(win: Any) -> Any:
        for attr in ("_hWnd", "_app", "getHandle"):
            value = getattr(win, attr, None)
            if value is not None:
                return value() if callable(value) else value
        return id(win)

    @staticmethod
    def _rect(win: Any) -> Rect:
        frame = None
        getter = getattr(win, "getClientFrame", None)
        if getter is not None:
            try:
                frame = getter()
            except Exception:
                frame = None
        if frame is not None:
            left, top, right, bottom = (int(v) for v in frame)
            return (left, top, right - left, bottom - top)
        return (int(win.left), int(win.top), int(win.width), int(win.height))

    def _info(self, win: Any) -> WindowInfo:
        visible = not bool(getattr(win, "isMinimized", False)) and bool(getattr(win, "isVisible", True))
        return WindowInfo(handle=win, title=str(win.title or ""), rect=self._rect(win), visible=visible)

    def list_windows(self) -> list[WindowInfo]:
        infos = []
        for win in self._module.getAllWindows():
            try:
                infos.append(self._info(win))
            except Exception as error:  # a window closing while listed
                log.debug("skipping a window: %s", error)
        return infos

    def state(self, handle: Any) -> WindowState:
        alive = getattr(handle, "isAlive", None)
        if alive is not None:
            is_alive = alive() if callable(alive) else alive
        else:  # pygetwindow: still in the list?
            key = self._key(handle)
            is_alive = any(self._key(w) == key for w in self._module.getAllWindows())
        if not is_alive:
            raise WindowGone("the window no longer exists")
        try:
            info = self._info(handle)
        except Exception as error:
            raise WindowGone(f"the window no longer exists ({error})") from None
        return WindowState(title=info.title, rect=info.rect, visible=info.visible)

    def activate(self, handle: Any) -> None:
        handle.activate()

    def close(self) -> None:
        pass


def window_backend() -> WindowBackend:
    """The backend for this platform; :class:`WindowError` with the reason when there is none."""
    if sys.platform in ("win32", "darwin"):
        return PyWinCtlBackend()
    if not os.environ.get("DISPLAY") and os.environ.get("WAYLAND_DISPLAY"):
        raise WindowError(
            "window capture is not possible under Wayland without XWayland (DISPLAY is not set): "
            "capture the screen or a region instead"
        )
    return X11Backend()


# ---------------------------------------------------------------------------------------- matching

#: titles of windows that merely mention the search (the terminal running ``classmood ... window:Zoom``)
_SELF_HINTS = ("classmood", "window:")


def find_windows(title: str, windows: list[WindowInfo]) -> list[WindowInfo]:
    """Windows whose title contains ``title`` (case-insensitive), best first.

    Best: an exact title match, then shown before minimized, then windows that are not our own
    terminal (its title may contain the search), then the largest.
    """
    needle = title.casefold().strip()
    matches = [w for w in windows if needle and needle in w.title.casefold()]

    def rank(window: WindowInfo) -> tuple[int, int, int, int]:
        text = window.title.casefold()
        return (
            0 if text.strip() == needle else 1,
            0 if window.visible else 1,
            1 if any(hint in text for hint in _SELF_HINTS) else 0,
            -window.area,
        )

    return sorted(matches, key=rank)


def describe_titles(windows: list[WindowInfo], limit: int = 8, width: int = 40) -> str:
    """A short list of window titles for an error message."""
    titles = []
    for window in windows:
        text = " ".join(window.title.split())
        if text and text not in titles:
            titles.append(text)
    if not titles:
        return "no windows with a title are open"
    shown = [f'"{t[: width - 1]}…"' if len(t) > width else f'"{t}"' for t in titles[:limit]]
    more = f" and {len(titles) - limit} more" if len(titles) > limit else ""
    return "open windows: " + ", ".join(shown) + more
