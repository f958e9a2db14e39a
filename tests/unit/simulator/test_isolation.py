"""The simulator imports nothing from the product, so it can never bend to the client's bugs."""

from __future__ import annotations

import ast
from pathlib import Path

import vibe_quality_searcharr.simulator as simulator

PACKAGE = Path(simulator.__file__).parent


def test_simulator_imports_only_itself_from_the_product() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    offenders.append(
                        f"{path.name}: relative import (use absolute simulator imports)"
                    )
                names = [node.module or ""]
            for name in names:
                if name.startswith("vibe_quality_searcharr") and not name.startswith(
                    "vibe_quality_searcharr.simulator"
                ):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_the_scan_sees_every_module() -> None:
    modules = {path.stem for path in PACKAGE.rglob("*.py")}
    assert {"app", "testing", "dynamics", "faults", "prowlarr", "state"} <= modules
