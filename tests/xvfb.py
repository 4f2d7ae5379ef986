"""Xvfb for the tests: a real X server (and a tiny window manager), real windows, xdotool.

``shared_display()`` starts one ``Xvfb`` for the whole test process on a free display number
(``-displayfd`` lets the server pick it) with openbox managing windows, so that windows get the
EWMH client list and geometry a desktop gives; it is stopped when the process exits. Tests that
need it call ``using_display()`` from a fixture: it skips, with the reason, where Xvfb is not
installed (``.ci/install-bot-deps.sh`` installs it). Only processes started here are ever killed.

Run as a script, this file is the test windows' program (Tk)::

    python tests/xvfb.py image --title T --png FILE [--x X --y Y]
    python tests/xvfb.py pages --title T --pages N [--delay-ms D] [--broken-next]
    python tests/xvfb.py keys --title T          # retitles itself "T: Alt+F2" when it gets Alt+F2

It prints ``ready`` once its window is mapped.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SCREEN = (1600, 1000)
HERE = Path(__file__).resolve()

# page test app: colours (RGB) of the controls, and each page's tile colour
NEXT_RGB = (0, 255, 0)
PREVIOUS_RGB = (255, 0, 0)
DOT_RGB = (0, 0, 255)
CURRENT_DOT_RGB = (255, 255, 0)
BACKGROUND_RGB = (32, 32, 32)
PAGE_TILE_RGB = [(128, 64, 0), (0, 128, 128), (128, 0, 128), (96, 96, 96), (64, 128, 0)]
PAGES_SIZE = (800, 500)


def missing_tools() -> list[str]:
    return [tool for tool in ("Xvfb", "xdotool", "xwininfo") if shutil.which(tool) is None]


@dataclass
class XServer:
    display: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    window_manager: str | None = None

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=3)
        self.processes.clear()


def _wm_running(display: str) -> bool:
    result = subprocess.run(
        ["xprop", "-display", display, "-root", "_NET_SUPPORTING_WM_CHECK"], capture_output=True, text=True
    )
    return result.returncode == 0 and "window id" in result.stdout


def _root_has_wm(display: str) -> bool:
    """Whether a window manager set _NET_SUPPORTING_WM_CHECK (python-xlib, so xprop is not needed)."""
    if shutil.which("xprop"):
        return _wm_running(display)
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        prop = d.screen().root.get_full_property(d.intern_atom("_NET_SUPPORTING_WM_CHECK"), 0)
        return prop is not None and len(prop.value) > 0
    finally:
        d.close()


def start_xvfb(size: tuple[int, int] = SCREEN, window_manager: bool = True, timeout: float = 10.0) -> XServer:
    """A new Xvfb on a free display number, with openbox (or fluxbox) when asked and installed."""
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    server = XServer(display="", processes=[process])
    try:
        number = b""
        deadline = time.monotonic() + timeout
        os.set_blocking(read_fd, False)
        while not number.endswith(b"\n"):
            if process.poll() is not None:
                raise RuntimeError(f"Xvfb exited with status {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("Xvfb did not report its display number in time")
            try:
                chunk = os.read(read_fd, 16)
            except BlockingIOError:
                time.sleep(0.02)
                continue
            if not chunk:
                raise RuntimeError("Xvfb closed its display-number pipe")
            number += chunk
        server.display = f":{int(number.strip())}"
        if window_manager:
            wm = shutil.which("openbox") or shutil.which("fluxbox")
            if wm:
                server.processes.append(
                    subprocess.Popen([wm], env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                )
                server.window_manager = Path(wm).name
                while not _root_has_wm(server.display):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{server.window_manager} did not start in time")
                    time.sleep(0.05)
        return server
    except BaseException:
        server.stop()
        raise
    finally:
        os.close(read_fd)


_SHARED: XServer | None = None


def shared_display() -> XServer:
    """One Xvfb (with a window manager) for the whole test process, stopped at exit."""
    global _SHARED
    if _SHARED is None:
        _SHARED = start_xvfb()
        atexit.register(_SHARED.stop)
    return _SHARED


@contextlib.contextmanager
def using_display() -> Iterator[XServer]:
    """For module fixtures: the shared X server with DISPLAY pointing at it, or a pytest skip saying why.

    DISPLAY is put back afterwards, so later tests do not find a display they did not ask for
    (pyautogui keeps the connection it made when first imported: the server lives until exit).
    """
    import pytest

    missing = missing_tools()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (run .ci/install-bot-deps.sh)")
    try:
        import tkinter  # noqa: F401
    except ImportError as error:
        pytest.skip(f"tkinter is not available to open test windows: {error}")
    server = shared_display()
    before = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = server.display
    try:
        yield server
    finally:
        if before is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = before


# ------------------------------------------------------------------------------- windows and xdotool


def xdotool(*args: object, display: str | None = None, check: bool = True) -> str:
    env = {**os.environ, "DISPLAY": display} if display else None
    result = subprocess.run(["xdotool", *map(str, args)], capture_output=True, text=True, env=env, timeout=10)
    if check and result.returncode != 0:
        raise RuntimeError(f"xdotool {' '.join(map(str, args))} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def client_rect(window_id: int, display: str) -> tuple[int, int, int, int]:
    """A window's client area (x, y, w, h) on screen, from xwininfo (xdotool's geometry adds the frame)."""
    out = subprocess.run(
        ["xwininfo", "-display", display, "-id", str(window_id)], capture_output=True, text=True, check=True, timeout=10
    ).stdout
    values = {}
    for line in out.splitlines():
        key, _, value = line.strip().partition(":")
        values[key] = value.strip()
    return (
        int(values["Absolute upper-left X"]),
        int(values["Absolute upper-left Y"]),
        int(values["Width"]),
        int(values["Height"]),
    )


@dataclass
class TkWindow:
    """A test window in its own process (started here, so the tests may stop it)."""

    process: subprocess.Popen
    title: str
    display: str
    _id: int | None = None

    @property
    def window_id(self) -> int:
        """The X id of the window (looked up by its title the first time, kept when it retitles itself)."""
        if self._id is None:
            out = xdotool("search", "--name", f"^{self.title}$", display=self.display)
            self._id = int(out.split()[0])
        return self._id

    def title_now(self) -> str:
        return xdotool("getwindowname", self.window_id, display=self.display)

    def client_rect(self) -> tuple[int, int, int, int]:
        """The window's client area (x, y, w, h) on screen, as xwininfo reports it."""
        return client_rect(self.window_id, self.display)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def open_window(server: XServer, mode: str, title: str, *args: object, timeout: float = 10.0) -> TkWindow:
    """Start ``python tests/xvfb.py MODE --title TITLE ARGS`` and wait until its window is shown."""
    process = subprocess.Popen(
        [sys.executable, str(HERE), mode, "--title", title, *map(str, args)],
        env=server.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    window = TkWindow(process, title, server.display)
    line = ""
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    while "ready" not in line:
        if process.poll() is not None:
            raise RuntimeError(f"test window exited: {process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > deadline:
            window.close()
            raise RuntimeError(f"test window {title!r} did not show in {timeout} s")
        line += process.stdout.readline() or ""
        time.sleep(0.02)
    window.window_id  # noqa: B018 - found while the title is the one it was opened with
    return window


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy; that value, or the last one at the timeout."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


# ------------------------------------------------------------------------------ the Tk test windows


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _run_image(args) -> None:
    import tkinter as tk

    root = tk.Tk()
    root.title(args.title)
    photo = tk.PhotoImage(file=args.png)
    canvas = tk.Canvas(root, width=photo.width(), height=photo.height(), highlightthickness=0, bd=0, bg="#000000")
    canvas.create_image(0, 0, anchor="nw", image=photo)
    canvas.pack(fill="both", expand=True)
    root.geometry(f"{photo.width()}x{photo.height()}+{args.x}+{args.y}")
    _announce_when_mapped(root)
    root.mainloop()


def _run_pages(args) -> None:
    """A gallery of ``--pages`` pages: four tiles in the page's colour, arrows as real buttons, page dots."""
    import tkinter as tk

    width, height = PAGES_SIZE
    state = {"page": 1}
    root = tk.Tk()
    root.title(args.title)
    root.geometry(f"{width}x{height}+{args.x}+{args.y}")
    root.resizable(False, False)
    canvas = tk.Canvas(root, width=width, height=height, highlightthickness=0, bd=0, bg=_hex(BACKGROUND_RGB))
    canvas.place(x=0, y=0)
    blank = tk.PhotoImage(width=1, height=1)

    def button(rgb, command):
        colour = _hex(rgb)
        return tk.Button(
            root, image=blank, width=48, height=80, bg=colour, activebackground=colour, bd=0, relief="flat",
            highlightthickness=0, command=command,
        )  # fmt: skip

    def draw() -> None:
        canvas.delete("all")
        colour = _hex(PAGE_TILE_RGB[(state["page"] - 1) % len(PAGE_TILE_RGB)])
        for row in range(2):
            for col in range(2):
                x, y = 90 + col * 320, 30 + row * 210
                canvas.create_rectangle(x, y, x + 300, y + 190, fill=colour, outline="")
        for k in range(args.pages):
            rgb = CURRENT_DOT_RGB if k + 1 == state["page"] else DOT_RGB
            x = width // 2 - args.pages * 15 + k * 30
            canvas.create_rectangle(x, 460, x + 16, 476, fill=_hex(rgb), outline="")
        if state["page"] > 1:
            previous.place(x=20, y=180)
        else:
            previous.place_forget()
        if state["page"] < args.pages:
            following.place(x=width - 68, y=180)
        else:
            following.place_forget()

    def turn(step: int) -> None:
        if step > 0 and args.broken_next:
            return
        state["page"] = min(max(state["page"] + step, 1), args.pages)
        root.after(args.delay_ms, draw)  # a client takes a moment to redraw

    previous = button(PREVIOUS_RGB, lambda: turn(-1))
    following = button(NEXT_RGB, lambda: turn(+1))
    draw()
    _announce_when_mapped(root)
    root.mainloop()


def _run_keys(args) -> None:
    import tkinter as tk

    root = tk.Tk()
    root.title(args.title)
    root.geometry(f"300x200+{args.x}+{args.y}")
    entry = tk.Frame(root, width=300, height=200, bg="#336699", takefocus=True)
    entry.pack()

    def got(_event) -> None:
        root.title(f"{args.title}: Alt+F2")

    root.bind_all("<Alt-F2>", got)
    root.bind_all("<Meta-F2>", got)
    _announce_when_mapped(root)
    root.mainloop()


def _announce_when_mapped(root) -> None:
    def ready() -> None:
        if root.winfo_viewable():
            root.update_idletasks()
            print("ready", flush=True)
        else:
            root.after(20, ready)

    root.after(20, ready)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Tk windows for the X11 tests")
    parser.add_argument("mode", choices=["image", "pages", "keys"])
    parser.add_argument("--title", required=True)
    parser.add_argument("--png")
    parser.add_argument("--x", type=int, default=100)
    parser.add_argument("--y", type=int, default=100)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--delay-ms", type=int, default=100)
    parser.add_argument("--broken-next", action="store_true")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        {"image": _run_image, "pages": _run_pages, "keys": _run_keys}[args.mode](args)


if __name__ == "__main__":
    main()
