"""What `pip install syncd` (and so `make install` and the container) brings: every library
syncd imports is declared, and the licence travels with the package."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).parent.parent
# imported directly, but pinned by the declared dependency it belongs to
COMES_WITH = {"pydantic_core": "pydantic"}


def _requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for req in requirements:
        name = req.split(";")[0].strip()
        for stop in "<>=!~[ ":
            name = name.split(stop)[0]
        names.add(name.lower().replace("_", "-"))
    return names


def _imported_modules() -> set[str]:
    found = set()
    for path in (ROOT / "syncd").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"syncd"}


def test_every_library_syncd_imports_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _requirement_names(
        project["dependencies"] + project["optional-dependencies"]["chart"]
    )  # the chart extra: matplotlib, imported only for the digest chart
    owners = packages_distributions()
    missing = {}
    for module in sorted(_imported_modules()):
        if module in COMES_WITH:
            assert COMES_WITH[module] in declared
            continue
        dists = {d.lower().replace("_", "-") for d in owners.get(module, [module])}
        if not dists & declared:
            missing[module] = sorted(dists)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_the_licence_named_in_the_metadata_is_shipped() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    [licence] = project["license-files"]
    assert (ROOT / licence).read_text().startswith("MIT License\n")
