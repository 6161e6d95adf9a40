"""``stride worker``: run background tasks and the periodic schedule.

Any number of workers may run against one database: tasks are claimed row by row with
``SELECT … FOR UPDATE SKIP LOCKED`` (django-tasks-db) and each periodic slot is claimed once
(``stride.notify.schedule``), so adding workers adds throughput, never duplicates.

A worker killed without warning (``kill -9``) leaves a task ``RUNNING`` and at most one
outbox claim held; every worker recovers such work at start-up, and the periodic
``recover-stale-work`` job does so every minute, once it is older than
``WORKER_STALE_SECONDS`` (``stride.notify.recovery``).
"""

from __future__ import annotations

import logging
import math
import os
import socket
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from stride.notify.recovery import stale_work_recover
from stride.notify.schedule import Scheduler, schedule_tick

logger = logging.getLogger("stride.notify.worker")


def _interval(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ArgumentTypeError("must be a number of seconds, zero or more")
    return number


def _default_worker_id() -> str:
    # Readable in the task table (which host and process ran a task) and unique per run.
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"[:64]


class Command(BaseCommand):
    help = (
        "Run background tasks and the periodic schedule (the jobs apps register, such as "
        "check-in reminders every minute; recovery of work left by killed workers; daily "
        "pruning of finished task results). Stop with Ctrl-C or SIGTERM: the task being run "
        "is finished first."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run one scheduler tick, then every queued task, then exit (for cron and CI).",
        )
        parser.add_argument(
            "--interval",
            type=_interval,
            default=1.0,
            help="Seconds to wait before looking again when no task is queued (default: 1).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run tasks; leave the periodic schedule to other workers.",
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="Name recorded on the tasks this worker runs (default: host-pid-random).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._configure_logging(options["verbosity"])
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        worker_id: str = (options["worker_id"] or _default_worker_id())[:64]
        once: bool = options["once"]
        with_scheduler = not options["no_scheduler"]

        if not isinstance(backend, DatabaseBackend):
            if not once:
                raise CommandError(
                    "stride worker needs the database task backend "
                    "(TASKS_BACKEND=django_tasks_db.DatabaseBackend); the configured "
                    f"{type(backend).__name__} runs tasks without a worker."
                )
            # With an in-process backend a tick's tasks have already run when it returns.
            if with_scheduler:
                logger.info("Scheduler tick: %s", ", ".join(schedule_tick()) or "nothing due")
            return

        # Work a killed worker left behind is taken up before anything else; the periodic
        # job does the same every minute for workers that die while this one runs.
        recovered = stale_work_recover()
        logger.info(
            "Recovered at start-up: %d tasks queued again, %d failed, %d deliveries queued again",
            recovered["requeued"],
            recovered["failed"],
            recovered["deliveries"],
        )

        worker = Worker(
            queue_names=sorted(backend.queues),
            interval=0 if once else options["interval"],
            batch=once,
            backend_name=backend.alias,
            startup_delay=not once,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

        if once:
            if with_scheduler:
                logger.info("Scheduler tick: %s", ", ".join(schedule_tick()) or "nothing due")
            worker.run()
            return

        scheduler = Scheduler() if with_scheduler else None
        worker.configure_signals()
        if scheduler is not None:
            scheduler.start()
        try:
            worker.run()
        finally:
            if scheduler is not None:
                scheduler.stop()
                # The thread is a daemon: a tick stuck on the database cannot hold us here.
                scheduler.join(timeout=5)
            worker.reset_signals()
            logger.info("Worker %s stopped", worker_id)

    def _configure_logging(self, verbosity: int) -> None:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in ("stride.notify", "django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(level)
