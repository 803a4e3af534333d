"""``linli worker``: a real RQ worker with Linli's app behind every job."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from rq import Queue, SimpleWorker, Worker

from linli.jobs import backend, ledger, runner


def run_worker(app: Flask, queue_names: Sequence[str], *, burst: bool, fork: bool) -> bool:
    """Work the queues (in order of priority); ``fork=False`` runs jobs in-process.

    RQ's scheduler runs inside the worker, so retries with back-off and jobs enqueued
    for later are moved to their queues on time. Without forks, the jobs' outcomes are
    written in batches (:mod:`linli.jobs.ledger`), the last batch when the worker stops.
    """
    with app.app_context():
        redis = backend.connection()
    if redis is None:
        raise RuntimeError("LINLI_REDIS_URL is not set: jobs run inline, there is nothing to work")
    runner.use_app(app)
    queues = [Queue(name, connection=redis) for name in queue_names]
    worker_class = Worker if fork else SimpleWorker
    worker = worker_class(queues, connection=redis)
    # RQ sets its loggers to INFO unless told: LINLI_LOG_LEVEL is the operator's word
    level = app.config["LINLI"].log_level
    if fork:
        return bool(worker.work(burst=burst, with_scheduler=True, logging_level=level))
    ledger.defer_outcomes(app)
    try:
        return bool(worker.work(burst=burst, with_scheduler=True, logging_level=level))
    finally:
        ledger.flush()
