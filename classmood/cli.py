"""The ``classmood`` command line: a thin layer over the packages.

Each subcommand lives in its own module under :mod:`classmood.commands` and
imports what it needs only when it runs, so ``classmood admin ...`` never loads
torch and ``classmood --help`` answers at once.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from classmood.commands import command_modules
from classmood.errors import CommandError


class OneLineErrorParser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit 2), pointing at --help instead of printing the usage."""

    def error(self, message: str):
        self.exit(2, f"classmood: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="classmood",
        description="ClassMood reads the mood of an online class: a meeting bot, an expression model "
        "and a post-class report.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        module.register(subparsers)
    return parser


def start_here() -> str:
    """What ``classmood`` alone prints: the three things people do most, and where the data lives."""
    from analytics.db import ENV_VAR, resolve_url, safe_url
    from analytics.errors import DatabaseError

    try:
        data = safe_url(resolve_url(None)).removeprefix("sqlite:///")
    except DatabaseError as error:
        data = f"unusable: {error}"
    return "\n".join(
        [
            "ClassMood reads the mood of an online class.",
            "",
            '  record a class    classmood bot start --course "Physics 101" --source window:Zoom',
            "  see the report    classmood report",
            "  look things up    classmood admin sessions | admin attendance --session last | admin users add NAME",
            "",
            f"Data: {data}",
            f"      (another database: --db FILE|URL on any command, or ${ENV_VAR})",
            "New here? `classmood demo` records a synthetic class there and opens its report.",
            "Every command: classmood --help",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(message)s" if not args.verbose else "%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    handler = getattr(args, "handler", None)
    if handler is None and args.command is None:
        print(start_here())
        return 0
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except CommandError as error:
        print(f"classmood: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("classmood: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (`classmood ... | head`): not an error worth a traceback
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
