"""Background jobs on RQ, tenant-aware.

Public API for the core and plugins: :func:`linli.jobs.enqueue.enqueue`,
:func:`linli.jobs.runner.progress` and :class:`linli.jobs.runner.JobFailed`.
"""
