"""The money engine and every ``calculations`` module are pure: no Flask, no SQLAlchemy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# Found by path, so a new area's calculations.py is checked without anyone listing it here.
PURE_MODULES = [APP / "money.py", APP / "numbers.py", APP / "orders" / "lifecycle.py",
                APP / "orders" / "summary.py", APP / "changes" / "comparison.py",
                *sorted(APP.glob("*/calculations.py"))]  # fmt: skip

# Run in a fresh interpreter, so nothing the test session already imported (conftest imports
# the whole app) can hide or fake an import. Importing ``app.orders.calculations`` the usual way
# would first run app/__init__.py, which imports Flask; so every package on the way is put in
# sys.modules as an empty stand-in whose __path__ is its directory. The module itself, and
# whatever it imports (``from app.money import ...`` included), then load from their files as
# usual, and only their own imports count. The interpreter runs isolated (-I): neither the
# working directory nor PYTHONPATH is on sys.path.
CHECK = """
import importlib, json, sys, types
from pathlib import Path

app_dir, name = Path(sys.argv[1]), sys.argv[2]
before = set(sys.modules)
parts = name.split(".")
for depth in range(1, len(parts)):
    package = ".".join(parts[:depth])
    stub = types.ModuleType(package)
    stub.__path__ = [str(app_dir.parent.joinpath(*parts[:depth]))]
    sys.modules[package] = stub
importlib.import_module(name)
print(json.dumps(sorted(set(sys.modules) - before)))
"""

FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "alembic", "psycopg", "jinja2")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(APP.parent).with_suffix("").parts)


def modules_loaded_by(name: str) -> list[str]:
    """Every module that importing ``name`` loads, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-I", "-c", CHECK, str(APP), name],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def framework_modules(loaded: list[str]) -> list[str]:
    return [m for m in loaded if m.split(".")[0].startswith(FORBIDDEN)]


def test_the_check_covers_money_and_every_calculations_module():
    names = {module_name(p) for p in PURE_MODULES}

    assert {
        "app.money",
        "app.numbers",
        "app.orders.lifecycle",
        "app.orders.summary",
        "app.orders.calculations",
        "app.payments.calculations",
        "app.fulfillment.calculations",
    } <= names


@pytest.mark.parametrize("path", PURE_MODULES, ids=module_name)
def test_a_pure_module_imports_neither_flask_nor_sqlalchemy(path):
    loaded = modules_loaded_by(module_name(path))

    assert module_name(path) in loaded
    assert framework_modules(loaded) == []


def test_the_check_sees_flask_and_sqlalchemy_where_they_are_imported():
    # app/extensions.py builds the Flask extensions: the check must catch it.
    loaded = modules_loaded_by("app.extensions")

    found = {m.split(".")[0] for m in framework_modules(loaded)}
    assert {"flask", "sqlalchemy", "flask_sqlalchemy"} <= found
