"""Subcommands of the ``classmood`` CLI, one module each.

A module exposes ``register(subparsers)``, which adds its parser and sets
``handler`` (a function taking the parsed arguments and returning an exit
code). Handlers raise :class:`classmood.errors.CommandError` for anything the
user can fix. A module imports only the standard library at import time (and
``classmood``'s own helpers); the packages it drives load inside its handlers,
so ``classmood --help`` answers at once and ``classmood admin ...`` never loads
torch. Command modules do not import each other: what two of them share lives
in :mod:`classmood.commands._common` or :mod:`classmood.commands._output`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: in the order ``classmood --help`` lists them
COMMAND_NAMES = (
    "demo_cmd",
    "bot_cmd",
    "report_cmd",
    "admin_cmd",
    "db_cmd",
    "model_cmd",
    "train_cmd",
    "train_names_cmd",
    "bench_cmd",
)


def command_modules() -> list[ModuleType]:
    """The subcommand modules, imported (cheap: see the module docstring)."""
    return [importlib.import_module(f"classmood.commands.{name}") for name in COMMAND_NAMES]
