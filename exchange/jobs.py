"""The one wiring step and the one job runner.

`wire()` installs the domain-event subscribers. Every process entry point calls it — the app
factory (so `exchange serve` and each of its workers), `exchange worker`, `tick`, `import`,
`demo` — so what happens after an event never depends on which modules a process happened to
import (a proposal expired by `exchange tick` from cron used to write no webhook delivery,
because that process never imported the webhook router).

`JobRunner` owns all periodic and queued work; `exchange worker` runs it alone, `exchange serve`
runs it in its own process for the single-machine default. Each job runs in transactions of its
own and is *claimed* in the database, so any number of runners (workers, replicas, a cron
`exchange tick`) never do the same work twice:

- webhook deliveries, every 2 s and at once again while there is more: a lease on each row;
- the e-mail outbox (with SMTP), every 10 s: a lease on each message (`locked_until`);
- follow-up reminders and round-proposal expiry (`scheduler.tick`), every 5 min: a
  conditional UPDATE per reminder, a row lock per proposal;
- purging expired idempotency records, every 5 min: an idempotent DELETE.

A job that fails is logged and tried again at its next turn; it never stops the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from exchange import scheduler
from exchange.config import Settings
from exchange.events import subscribe
from exchange.idempotency import purge_expired
from exchange.networks import service as networks_service
from exchange.networks import webhooks
from exchange.notifications.email import deliver_pending

log = logging.getLogger("exchange.jobs")


def wire() -> None:
    """Install every domain-event subscriber (idempotent: registering twice has no effect)."""
    # Owners' edits become member.updated for each network first; route_event then turns every
    # event of interest (including those) into webhook deliveries.
    subscribe(networks_service.announce_owner_edits)
    subscribe(webhooks.route_event)


SessionFactory = Callable[[], Session]


@dataclass
class Job:
    name: str
    interval: float  # seconds between runs when the last run found nothing to do
    run: Callable[[], int]  # returns how much it did; > 0 with `again` means "run at once"
    first_after: float = 0.0
    again: bool = False  # a job with a queue: keep going while it finds work
    next_at: float = field(default=0.0, init=False)


class JobRunner:
    """Runs every job at its interval in one thread (`start`) or in the caller (`run_forever`,
    `run_once`). `today` fixes the scheduler's clock (tests, `exchange worker --once --today`)."""

    def __init__(self, engine: Engine, settings: Settings, *, webhook_interval: float = 2.0,
                 today: date | None = None) -> None:
        self.engine, self.settings, self.today = engine, settings, today
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.jobs = [
            Job("webhooks", webhook_interval, self._webhooks, again=True),
            Job("email", 10.0, self._email, again=True),
            Job("scheduler", 300.0, self._scheduler, first_after=5.0),
            Job("idempotency_purge", 300.0, self._purge_idempotency, first_after=5.0),
        ]

    def sessions(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # -- the jobs -------------------------------------------------------------------------------

    def _webhooks(self) -> int:
        return webhooks.deliver_due(self.sessions, self.settings)

    def _email(self) -> int:
        return deliver_pending(self.engine, self.settings)

    def _scheduler(self) -> int:
        report = scheduler.tick(self.sessions, today=self.today,
                                base_url=self.settings.public_base_url)
        if any(report.values()):
            log.info("scheduler: %s", report)
        return report["due_sent"] + report["overdue_sent"] + report["proposals_expired"]

    def _purge_idempotency(self) -> int:
        with self.sessions() as session:
            purged = purge_expired(session)
            session.commit()
        return purged

    # -- running --------------------------------------------------------------------------------

    def run_job(self, job: Job) -> int:
        try:
            return job.run()
        except Exception:  # one job failing must neither stop the loop nor the other jobs
            log.exception("job %s failed", job.name)
            return 0

    def run_once(self) -> dict[str, int]:
        """Every job once, now; what each did."""
        return {job.name: self.run_job(job) for job in self.jobs}

    def run_forever(self) -> None:
        started = time.monotonic()
        for job in self.jobs:
            job.next_at = started + job.first_after
        while not self._stop.is_set():
            now = time.monotonic()
            for job in self.jobs:
                if self._stop.is_set():
                    return
                if job.next_at <= now:
                    did = self.run_job(job)
                    job.next_at = time.monotonic() + (0.0 if did and job.again
                                                      else job.interval)
            wait = min(job.next_at for job in self.jobs) - time.monotonic()
            if wait > 0:
                self._stop.wait(min(wait, 1.0))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self.run_forever, name="jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=20)
