"""The client package never depends on the emulator: the local target's transport and
credentials are handed in by :mod:`waform.connect`, which alone knows both."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import waform.client

CLIENT_DIR = Path(waform.client.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_of_the_client_package_imports_the_emulator() -> None:
    offenders = {
        f"{path.name}: {module}"
        for path in sorted(CLIENT_DIR.glob("*.py"))
        for module in _imported_modules(path)
        if module == "waform.emulator" or module.startswith("waform.emulator.")
    }
    assert not offenders
    assert len(list(CLIENT_DIR.glob("*.py"))) >= 5  # the glob saw the package


def test_importing_the_client_and_the_target_factory_loads_no_emulator_module() -> None:
    code = (
        "import sys, waform.client, waform.connect, waform.fetcher, waform.apply.executor\n"
        "print(sorted(m for m in sys.modules if m.startswith('waform.emulator')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_only_the_provider_factory_and_the_emulator_command_import_the_emulator() -> None:
    # The preview shows Meta's authentication texts from waform.model.meta_auth, like the
    # emulator writes them: no product module reaches into the emulator for its knowledge.
    package = CLIENT_DIR.parent
    importers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "emulator" not in path.relative_to(package).parts[:1]
        and any(m.startswith("waform.emulator") for m in _imported_modules(path))
    }
    assert importers == {"connect.py", "commands/emulator.py"}
