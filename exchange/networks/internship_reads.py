"""What a partner network reads of its members' internships: the internships involving a member
(as the sending, home business or as the host) and the Kirkpatrick report over the internships
its members sent. Reading only.

The network is not a party to an internship, so it sees the facts it needs to follow the
exchange in its membership — title, state, dates, who sends and who hosts (under the network's
own ids), the processes to learn, the agreement's version — and nothing the parties keep to
themselves: no intern or mentor identity, no objectives, schedule notes or confidentiality
terms, no plan, tasks, ratings or feedback comments. The report carries only aggregate figures
(means and counts), never a comment.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from exchange import csvsafe
from exchange.internships import report
from exchange.internships.models import FocusProcess, Internship
from exchange.internships.report import _fmt
from exchange.internships.states import InternshipState
from exchange.networks.models import Network, NetworkMember
from exchange.profiles.models import Business
from exchange.taxonomy.models import Process


def _member_business_ids(network: Network) -> Any:
    return select(NetworkMember.business_id).where(NetworkMember.network_id == network.id)


def _involving_members(network: Network) -> Any:
    members = _member_business_ids(network)
    return or_(col(Internship.home_business_id).in_(members),
               col(Internship.host_business_id).in_(members))


def list_internships(session: Session, network: Network, *, before_id: int | None = None,
                     states: Sequence[InternshipState] = (), business_id: int | None = None,
                     limit: int = 50) -> list[Internship]:
    """Newest first by id: a stable order (state changes never move an internship), paged by
    keyset from before the cursor's id."""
    statement = select(Internship).where(_involving_members(network))
    if before_id is not None:
        statement = statement.where(col(Internship.id) < before_id)
    if states:
        statement = statement.where(col(Internship.state).in_([s.value for s in states]))
    if business_id is not None:
        statement = statement.where(or_(Internship.home_business_id == business_id,
                                        Internship.host_business_id == business_id))
    return list(session.exec(statement.order_by(col(Internship.id).desc()).limit(limit)).all())


def internship_of_network(session: Session, network: Network, internship_id: int
                          ) -> Internship | None:
    """The internship when a member is a party to it; None otherwise, as if it did not exist."""
    return session.exec(select(Internship).where(Internship.id == internship_id,
                                                 _involving_members(network))).first()


@dataclass(frozen=True)
class Party:
    external_id: str | None  # the network's id, None when the business is not a member
    slug: str
    name: str


@dataclass(frozen=True)
class InternshipFacts:
    internship: Internship
    home: Party
    host: Party
    focus_processes: list[str]


def facts_of(session: Session, network: Network, internships: Sequence[Internship]
             ) -> list[InternshipFacts]:
    """What the network is shown of each internship, in three queries for the whole page."""
    if not internships:
        return []
    business_ids = {i.home_business_id for i in internships} | {
        i.host_business_id for i in internships}
    businesses = {b.id: b for b in session.exec(
        select(Business).where(col(Business.id).in_(business_ids))).all()}
    external = dict(session.exec(select(NetworkMember.business_id, NetworkMember.external_id)
                                 .where(NetworkMember.network_id == network.id,
                                        col(NetworkMember.business_id).in_(business_ids))).all())
    focus: dict[int, list[str]] = defaultdict(list)
    for internship_id, key in session.exec(
        select(FocusProcess.internship_id, Process.key)
        .join(Process, col(Process.id) == FocusProcess.process_id)
        .where(col(FocusProcess.internship_id).in_([i.id for i in internships]))
        # the order of service.focus_of, which the parties see
        .order_by(col(Process.department_id), col(Process.position), col(Process.id))
    ).all():
        focus[internship_id].append(key)

    def party(business_id: int) -> Party:
        business = businesses[business_id]
        return Party(external.get(business_id), business.slug, business.name)

    return [InternshipFacts(i, party(i.home_business_id), party(i.host_business_id),
                            focus[i.id or 0]) for i in internships]


# -- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFigures:
    external_id: str
    business: Business
    totals: report.Aggregate


@dataclass(frozen=True)
class NetworkReport:
    since: date | None
    until: date | None
    totals: report.Aggregate
    members: list[MemberFigures]


def network_report(session: Session, network: Network, *, since: date | None = None,
                   until: date | None = None) -> NetworkReport:
    """The four levels over the internships the members sent (`report.aggregate` over the
    members), optionally only those that started between `since` and `until` (inclusive),
    and the same figures per member, in the order members joined."""
    rows = session.exec(
        select(NetworkMember, Business)
        .join(Business, col(Business.id) == NetworkMember.business_id)
        .where(NetworkMember.network_id == network.id).order_by(col(NetworkMember.id))).all()
    reports = report.reports_for(session, [business.id or 0 for _, business in rows])
    reports = [r for r in reports
               if (since is None or r.internship.start_date >= since)
               and (until is None or r.internship.start_date <= until)]
    sent: dict[int, list[report.InternshipReport]] = defaultdict(list)
    for r in reports:
        sent[r.internship.home_business_id].append(r)
    return NetworkReport(
        since, until, report.combine(reports),
        [MemberFigures(member.external_id, business, report.combine(sent[business.id or 0]))
         for member, business in rows])


CSV_COLUMNS = ("external_id", "business", "name", "internships", "intern_rating",
               "home_partnership", "host_partnership", "objectives_rated", "objectives_achieved",
               "achieved_share", "mean_level_gain", "steps_due", "steps_on_time",
               "on_time_share", "kpis_measured", "mean_kpi_progress")


def _figures(t: report.Aggregate) -> list[str | int]:
    return [t.internships, _fmt(t.intern_rating), _fmt(t.home_partnership),
            _fmt(t.host_partnership), t.objectives_rated, t.objectives_achieved,
            _fmt(t.achieved_share), _fmt(t.mean_level_gain), t.steps_due, t.steps_on_time,
            _fmt(t.on_time_share), t.kpis_measured, _fmt(t.mean_kpi_progress)]


def network_csv(result: NetworkReport) -> str:
    """One row per member, then a totals row."""
    out = io.StringIO()
    w = csvsafe.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for m in result.members:
        w.writerow([m.external_id, m.business.slug, m.business.name, *_figures(m.totals)])
    w.writerow(["total", "", f"{len(result.members)} member(s)", *_figures(result.totals)])
    return out.getvalue()
