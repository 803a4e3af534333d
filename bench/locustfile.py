"""The load `bench/load.py` puts on Linli: community staff reading and adding places.

Each simulated user waits for nothing (a closed loop) and picks a community at random for
every request among ``LOAD_COMMUNITIES`` (slugs ``load-0001`` …), so the load spreads over
all of them. Nine in ten requests read a page of 20 compounds, one in twenty reads the
community's summary, one in twenty adds a compound (unique names: no 409s).
"""

from __future__ import annotations

import os
import random
import uuid

from locust import HttpUser, constant, task

COMMUNITIES = int(os.environ.get("LOAD_COMMUNITIES", "1000"))
TOKEN = os.environ["LOAD_TOKEN"]


def slug() -> str:
    return f"load-{random.randint(1, COMMUNITIES):04d}"  # noqa: S311  (load shape, not secrets)


class Staff(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {TOKEN}"

    @task(18)
    def list_compounds(self) -> None:
        self.client.get(
            f"/api/v1/t/{slug()}/compounds?page_size=20", name="GET /t/[slug]/compounds"
        )

    @task(1)
    def summary(self) -> None:
        self.client.get(f"/api/v1/t/{slug()}", name="GET /t/[slug]")

    @task(1)
    def add_compound(self) -> None:
        body = {"name": f"压测小区{uuid.uuid4().hex[:12]}", "address": "福清市音西街道"}
        self.client.post(
            f"/api/v1/t/{slug()}/compounds", json=body, name="POST /t/[slug]/compounds"
        )
