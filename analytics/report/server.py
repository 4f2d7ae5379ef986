"""Serving the report: waitress (a production WSGI server) on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from analytics.report.security import exposure_warning

log = logging.getLogger(__name__)


def serve(app, host: str = "127.0.0.1", port: int = 8050, *, threads: int = 8, out: TextIO | None = None) -> None:
    """Serve ``app`` (a Dash app) until interrupted; warns loudly when not bound to loopback."""
    out = out or sys.stderr
    warning = exposure_warning(host, port)
    if warning:
        print(warning, file=out, flush=True)
    try:
        from waitress import serve as waitress_serve
    except ImportError:  # pragma: no cover - waitress is a dependency; the dev server is a fallback
        app.server.run(host=host, port=port, threaded=True, debug=False)
        return
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress_serve(app.server, host=host, port=port, threads=threads, ident="ClassMood", _quiet=True)
