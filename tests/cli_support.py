"""Running the installed ``waform`` in a subprocess, as a user's shell or CI job would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_waform(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m waform ARGS`` in ``cwd`` (``env``: the whole environment, default ours)."""
    return subprocess.run(
        [sys.executable, "-m", "waform", *args],
        cwd=cwd,
        env=dict(os.environ) if env is None else dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
