"""docs/configuration.md is generated from Settings; it must not drift from the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from vibe_quality_searcharr.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def load_script() -> object:
    spec = importlib.util.spec_from_file_location("config_table", ROOT / "scripts/config_table.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_configuration_doc_is_up_to_date() -> None:
    rendered = load_script().render()  # type: ignore[attr-defined]
    documented = (ROOT / "docs/configuration.md").read_text()
    assert documented == rendered, (
        "docs/configuration.md is stale: run "
        "`.venv/bin/python scripts/config_table.py > docs/configuration.md`"
    )


def test_every_setting_has_a_one_line_help_text() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"
        assert "\n" not in field.description
        assert field.description.endswith("."), name
