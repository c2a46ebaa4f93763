"""Shared fixtures: the sample article built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "manuscript" / "article.md"


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None
            ) -> subprocess.CompletedProcess:
    """The real command line, in a fresh process, as a user runs it."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """build/ of the sample article, made by the CLI (all three outputs)."""
    out = tmp_path_factory.mktemp("sample-build")
    result = run_cli("build", str(SAMPLE), "--out", str(out),
                     env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    return out
