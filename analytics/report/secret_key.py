"""The report's secret key (it signs the session cookies): ``$CLASSMOOD_SECRET_KEY``, else a private file.

The file lives in the user config directory and is created once with a random key (mode 0600, folder
0700); keys shorter than MIN_SECRET_LENGTH characters are refused, a key file others can read is warned
about. Re-exported by :mod:`analytics.report.security`.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

SECRET_ENV = "CLASSMOOD_SECRET_KEY"
SECRET_FILE = "report-secret-key"
MIN_SECRET_LENGTH = 32

# the logger this warning has always been logged under
log = logging.getLogger("analytics.report.security")


class SecretKeyError(ValueError):
    """The configured secret key is unusable (too short); the message says what to do."""


def secret_key_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("classmood", appauthor=False)) / SECRET_FILE


def load_secret_key(path: Path | None = None) -> str:
    """``$CLASSMOOD_SECRET_KEY``, else the key stored in ``path`` (created with a random key on first use)."""
    from_env = os.environ.get(SECRET_ENV, "").strip()
    if from_env:
        return _long_enough(from_env, f"${SECRET_ENV}")
    path = path or secret_key_path()
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                log.warning("warning: the secret key file %s can be read by others (mode %o): chmod 600 it", path, mode)
            return _long_enough(key, str(path))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race (or an empty file): use what is there
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def _long_enough(key: str, where: str) -> str:
    if len(key) < MIN_SECRET_LENGTH:
        raise SecretKeyError(
            f"the secret key in {where} is {len(key)} characters long; use at least {MIN_SECRET_LENGTH} "
            '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    return key
