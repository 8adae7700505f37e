"""Earmark labels speakers without torch (issue 8): no torch, torchaudio or pyannote is installed
beside it, the frozen build excludes them, and a frozen build on disk carries none of them."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util

import pytest

from tests.conftest import ROOT

FORBIDDEN = ("torch", "torchaudio", "pyannote")


def _forbidden(name: str) -> bool:
    name = name.lower().replace("_", "-")
    return any(name == bad or name.startswith(f"{bad}-") or name.startswith(f"{bad}.") for bad in FORBIDDEN)


def test_no_torch_distribution_is_installed() -> None:
    names = sorted({(dist.metadata["Name"] or "") for dist in importlib.metadata.distributions()})
    assert [name for name in names if _forbidden(name)] == []
    for module in ("torch", "torchaudio", "pyannote"):
        assert importlib.util.find_spec(module) is None, f"{module} is importable"


def test_the_frozen_build_excludes_torch() -> None:
    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"))
    assigned = [node.value for node in ast.walk(tree)
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "excludes" for t in node.targets)]
    assert assigned, "build.spec has no `excludes = [...]`"
    excluded = {node.value for value in assigned for node in ast.walk(value)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert {"torch", "torchaudio"} <= excluded


def test_a_frozen_build_on_disk_carries_no_torch() -> None:
    internal = ROOT / "dist" / "earmark" / "_internal"
    if not internal.is_dir():
        pytest.skip("no frozen build in dist/ (pyinstaller build.spec makes one)")
    carried = [path.name for path in internal.rglob("*") if any(bad in path.name.lower() for bad in FORBIDDEN)]
    assert carried == []
