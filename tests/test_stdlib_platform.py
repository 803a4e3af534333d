"""``platform/`` is a source folder: the stdlib ``platform`` module must keep winning."""

from __future__ import annotations

import platform
import subprocess
import sys
import sysconfig
from pathlib import Path

import linli

ROOT = Path(__file__).resolve().parents[1]


def test_platform_is_the_stdlib_module() -> None:
    assert Path(platform.__file__).parent == Path(sysconfig.get_paths()["stdlib"])
    assert platform.system()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_linli_is_imported_from_the_platform_folder() -> None:
    assert Path(linli.__file__).parent == ROOT / "platform" / "linli"


def test_python_dash_m_from_repo_root_keeps_stdlib_platform() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import platform, linli; print(platform.system(), linli.__name__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == [platform.system(), "linli"]
