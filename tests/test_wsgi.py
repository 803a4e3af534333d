"""The WSGI entry point gunicorn loads: the app it builds is out of the collector's reach."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.test_jobs import ROOT

PROBE = """
import gc, json
before = gc.get_freeze_count()
import linli.wsgi
from linli.db import Base
frozen = gc.get_freeze_count()
collected = gc.collect()
print(json.dumps({"before": before, "frozen": frozen, "after_collect": gc.get_freeze_count(),
                  "app": type(linli.wsgi.app).__name__, "tables": len(Base.metadata.tables)}))
"""


def test_the_app_built_for_gunicorn_is_frozen(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env |= {"LINLI_INSTANCE_PATH": str(tmp_path), "LINLI_SECRET_KEY": "wsgi-test"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["app"] == "LinliFlask"
    assert seen["before"] == 0
    # the models' tables alone are thousands of objects; all of them frozen, and a full
    # collection afterwards leaves them there (a few are freed by reference counting)
    assert seen["frozen"] > 50 * seen["tables"] > 0
    assert seen["after_collect"] > 0.99 * seen["frozen"]
