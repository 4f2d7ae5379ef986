"""Subcommands of the ``classmood`` CLI, one module each.

A module exposes ``register(subparsers)``, which adds its parser and sets
``handler`` (a function taking the parsed arguments and returning an exit
code). Handlers raise :class:`CommandError` for anything the user can fix:
the CLI prints it as one line on stderr and exits with status 2.
"""

from __future__ import annotations

from types import ModuleType


class CommandError(Exception):
    """A problem the user can fix (bad input, unknown name, unreachable database)."""


def _modules() -> list[ModuleType]:
    from bot.commands import (
        admin_cmd,
        bench_cmd,
        bot_cmd,
        db_cmd,
        demo_cmd,
        model_cmd,
        report_cmd,
        train_cmd,
        train_names_cmd,
    )

    return [demo_cmd, bot_cmd, report_cmd, admin_cmd, db_cmd, model_cmd, train_cmd, train_names_cmd, bench_cmd]


COMMAND_MODULES: list[ModuleType] = _modules()
