"""``python -m classmood``: the same as the installed ``classmood`` command."""

from classmood.cli import main

raise SystemExit(main())
