"""The periodic pass (`exchange tick`, and the `scheduler` job of `exchange worker` / `serve`,
see exchange/jobs.py): everything the product does because time passed.

- follow-up reminders when a 30/60/90-day follow-up is due and when it is overdue
  (`internships.followups.tick`: claimed with a conditional UPDATE in the notification's own
  transaction, so never sent twice nor lost across a restart);
- exchange-round proposals past their answer deadline expire, which releases their firms for a
  re-clear (`rounds.service.expire_overdue`: each proposal is locked and moved through the
  proposal transition table, so a second pass finds nothing to do).

Every part takes the same clock: `today` (e.g. `exchange tick --today 2026-12-06`) shifts the
current time to that day for the reminders *and* the expiry alike. Every part runs in
transactions of its own: one failing never undoes or blocks the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from sqlmodel import Session

from exchange.db import utcnow
from exchange.internships import followups
from exchange.rounds import service as rounds_service

log = logging.getLogger("exchange.scheduler")


def clock(today: date | None = None) -> datetime:
    """Now, or — when `today` is given — the same time of day on that day (UTC), so that a
    deadline earlier than `today` is always past and one later is not yet."""
    now = utcnow()
    return now if today is None else now + (today - now.date())


def tick(session_factory: Callable[[], Session], *, today: date | None = None,
         base_url: str | None = None) -> dict[str, int]:
    now = clock(today)
    report = followups.tick(session_factory, today=now.date(), base_url=base_url).as_dict()
    report["proposals_expired"] = 0
    with session_factory() as session:
        try:
            report["proposals_expired"] = rounds_service.expire_overdue(session, now)
            session.commit()
        except Exception:  # the reminders above are already committed; report and go on
            session.rollback()
            log.exception("expiring round proposals failed")
            report["failed"] += 1
    return report
