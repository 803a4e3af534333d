"""Schema-driven fuzzing: schemathesis against ``/api/openapi.json`` on a live server.

The app serves real HTTP on a free loopback port (a thread of this test process, with the
session's database, SQLite or PostgreSQL) and the ``schemathesis`` command calls every
documented operation as the fixture community admin, with generated valid and invalid
input: no answer may be a 5xx, and every answer must conform to the document (status,
content type, headers, body schema; ``--checks all``). One check is left out:
``positive_data_acceptance`` wants every schema-valid body accepted, but the API also
refuses, by design and with a 422 naming the field, what JSON Schema cannot say (an id
naming no row of the community, a role no module defines, a date in the past, control
characters, one place of three); invalid data must still be refused
(``negative_data_rejection`` stays on).

Inside ``make test`` the run is bounded (a few examples per operation, a time budget);
``make fuzz`` runs the same test with ``LINLI_FUZZ_EXAMPLES`` and ``LINLI_FUZZ_SECONDS``
raised and the stateful phase on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from linli import db
from linli.identity.models import User
from tests.conftest import PEOPLE, Communities

CONFIG = Path(__file__).parent / "fuzz" / "schemathesis.toml"
EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", "3"))
SECONDS = int(os.environ.get("LINLI_FUZZ_SECONDS", "40"))
PHASES = os.environ.get("LINLI_FUZZ_PHASES", "examples,coverage,fuzzing")
SEED = os.environ.get("LINLI_FUZZ_SEED", "20261125")
CALLER = PEOPLE["alpha_admin"]


@pytest.fixture
def live_server(app: Flask, communities: Communities) -> Iterator[str]:
    """The app on a free loopback port, serving the freshly seeded fixture communities."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="fuzz-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _user_id(app: Flask, email: str) -> str:
    with app.app_context(), db.database().session_scope() as session:
        return str(session.query(User.id).filter_by(email=email).one()[0])


def test_schemathesis_finds_no_server_error_or_schema_violation(
    app: Flask, live_server: str, tmp_path: Path
) -> None:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_server}/api/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--header",
        f"Authorization: Bearer {CALLER}",
        "--phases",
        PHASES,
        "--max-examples",
        str(EXAMPLES),
        "--max-time",
        str(SECONDS),
        "--seed",
        SEED,
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=SECONDS * 4 + 120,
        check=False,
        cwd=tmp_path,  # schemathesis keeps a cache in the working directory
        env={
            **os.environ,
            "NO_COLOR": "1",
            "LINLI_FUZZ_MEMBER_ID": _user_id(app, "alpha_staff@linli.test"),
        },
    )
    output = run.stdout + run.stderr
    (tmp_path / "schemathesis.txt").write_text(output)
    assert run.returncode == 0, (output.partition("FAILURES")[2] or output)[:20000]
    summary = output.rpartition("SUMMARY")[2]
    tested = re.search(r"Tested: (\d+)", summary)
    passed = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert tested, summary
    assert passed, summary
    assert int(tested.group(1)) >= 200, summary  # every operation reached, not a few
    print(f"schemathesis: {tested.group(1)} operations, {passed.group(2)} cases passed")
