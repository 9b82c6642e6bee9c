"""The import package's shape: the stages implement the declared ``Stage``
interface, and the engine, the stages and the messages share their types
through ``registry.importing.types`` without importing one another in a circle."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from registry.importing import memory, pg, types

PACKAGE = Path(types.__file__).resolve().parent


def _package_imports(module: str) -> set[str]:
    """The sibling modules ``registry/importing/<module>.py`` imports (at any depth of the file)."""
    found = set()
    for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_the_stages_and_the_messages_do_not_import_the_engine():
    assert "engine" not in _package_imports("pg")
    assert "engine" not in _package_imports("memory")
    assert "engine" not in _package_imports("messages")
    assert _package_imports("types") == set()  # below all of them


def _protocol_members() -> set[str]:
    own = set(vars(types.Stage)) | set(types.Stage.__annotations__)
    return {name for name in own if not name.startswith("_") or name in ("__enter__", "__exit__")}


@pytest.mark.parametrize("stage", [pg.PostgresStage, memory.MemoryStage])
def test_each_stage_implements_the_declared_interface(stage):
    members = _protocol_members()
    assert {"updated_ids", "valid_rows", "write", "cross_row_errors"} <= members
    init = inspect.getsource(stage.__init__)
    for name in members:
        assert hasattr(stage, name) or f"self.{name}" in init, f"{stage.__name__} lacks {name}"
        declared = getattr(types.Stage, name, None)
        if callable(declared) and not isinstance(declared, property):
            wanted = list(inspect.signature(declared).parameters)
            assert list(inspect.signature(getattr(stage, name)).parameters) == wanted, (stage.__name__, name)
