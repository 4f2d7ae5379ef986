"""Every import rule of the project in one place (the picture is in DESIGN.md).

- ``model`` (inference) imports no other package of ours, and neither torch, timm nor matplotlib;
- ``training`` imports ``model`` only, of ours;
- ``analytics`` imports none of ``bot``, ``model``, ``training`` (only its ``migrations``) and neither torch
  nor OpenCV;
- ``bot`` imports ``model`` and ``analytics``, never ``training``;
- ``migrations`` imports ``analytics`` only;
- nothing imports ``classmood`` (the command may import everything);
- the ``bot``, ``report`` and ``admin`` commands load no torch, timm or matplotlib, and reading names
  (``bot inspect``) loads no SQLAlchemy.

The static rules read every ``import`` in the source, also those inside functions and
``TYPE_CHECKING`` blocks: a lazy import is still an arrow between packages.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"analytics", "bot", "classmood", "migrations", "model", "training"}
TRAINING_STACK = ("torch", "timm", "torchvision", "matplotlib")

#: package -> (packages of ours it may import besides itself, third-party packages it may not import)
RULES: dict[str, tuple[set[str], set[str]]] = {
    "model": (set(), {"torch", "timm", "torchvision", "matplotlib"}),
    "training": ({"model"}, set()),
    "analytics": ({"migrations"}, {"torch", "timm", "torchvision", "cv2"}),  # it runs its migrations
    "bot": ({"model", "analytics"}, {"torch", "timm", "torchvision"}),
    "migrations": ({"analytics"}, set()),
    "classmood": (OURS - {"classmood"}, set()),
}


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every absolute import in a source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def violations() -> list[str]:
    problems = []
    for package, (allowed, forbidden) in RULES.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            imported = imported_packages(path)
            for name in sorted(imported):
                ours_not_allowed = name in OURS and name != package and name not in allowed
                if ours_not_allowed or name in forbidden:
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    return problems


def test_packages_import_only_what_their_rule_allows():
    assert violations() == []


def test_the_rules_cover_every_package_of_ours():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name != "tests"}
    assert packages == OURS == set(RULES)


#: per command: the arguments it is parsed with, and the modules its handlers import
COMMANDS = {
    "bot": (
        ["bot", "inspect", "frame.png"],
        ["bot.pipeline", "bot.runner", "bot.sources", "bot.annotate", "bot.paging", "analytics.store"],
    ),
    "report": (["report", "--no-browser"], ["analytics.report.app", "analytics.report.export", "analytics.queries"]),
    "admin": (["admin", "attendance"], ["analytics.queries", "analytics.auth", "analytics.retention"]),
}


def test_runtime_commands_load_no_training_stack():
    """Building the whole parser, parsing each runtime command and importing what its handlers import loads
    none of torch, timm, torchvision or matplotlib (one fresh interpreter, commands in turn: a module that
    appears is blamed on the first command that loaded it)."""
    code = (
        "import importlib, sys\n"
        "from classmood.cli import build_parser\n"
        f"stack = {TRAINING_STACK!r}\n"
        f"for command, (argv, modules) in {COMMANDS!r}.items():\n"
        "    args = build_parser().parse_args(argv)\n"
        "    assert callable(args.handler)\n"
        "    for name in modules: importlib.import_module(name)\n"
        "    print(command, sorted(m for m in stack if m in sys.modules))\n"
    )
    assert _python(code).splitlines() == [f"{command} []" for command in COMMANDS]


def test_reading_names_loads_no_sqlalchemy():
    """``bot inspect`` normalises names with analytics.names, not the ORM's module."""
    assert _python("import sys, bot.names, bot.pipeline; print('sqlalchemy' in sys.modules)").strip() == "False"


def test_building_the_parser_loads_no_third_party_package():
    """``classmood --help`` (and ``train-names`` on a training host without the ORM) build every subcommand's
    parser: the command modules import only the standard library at import time."""
    code = (
        "import sys\n"
        "from classmood.cli import build_parser\n"
        "build_parser()\n"
        "heavy = ('sqlalchemy', 'numpy', 'cv2', 'torch', 'onnxruntime', 'dash', 'PIL')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    assert _python(code).strip() == "[]"


def _python(code: str) -> str:
    """What ``code`` prints, run in a fresh interpreter from the project's root (it must exit 0)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout
