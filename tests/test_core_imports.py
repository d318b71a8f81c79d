"""The core packages load without Flask; ``from bot import create_app`` still gives the app factory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("bot", "bot.nlu", "bot.store", "bot.dialog", "bot.storage", "bot.channels", "bot.order_numbers")


def loaded_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``statement``."""
    probe = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("package", CORE)
def test_a_core_package_loads_no_flask(package) -> None:
    loaded = loaded_after(f"import {package}")
    assert package in loaded
    assert not {"flask", "werkzeug", "bot.app"} & loaded


def test_all_core_packages_together_load_no_flask() -> None:
    loaded = loaded_after("\n".join(f"import {package}" for package in CORE))
    assert not {"flask", "werkzeug", "bot.app"} & loaded


def test_create_app_is_still_given_by_bot_and_loads_flask_only_then() -> None:
    loaded = loaded_after("from bot import create_app\nimport bot.app\nassert create_app is bot.app.create_app")
    assert {"flask", "bot.app"} <= loaded


def test_an_unknown_name_of_bot_is_an_attribute_error() -> None:
    import bot

    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        bot.nothing_here  # noqa: B018 (the lookup is the test)
