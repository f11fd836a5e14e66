"""The Kirkpatrick report of Meera's internship, of Afreen's firm, and over several firms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.internships import feedback, followups, report, service
from exchange.internships.models import FeedbackKind, Internship
from exchange.internships.progress_schemas import ObjectiveRatingsIn, RatingIn
from exchange.profiles.models import Business, MatrixCell
from exchange.taxonomy.models import Process
from tests.internships.progress_helpers import TODAY, follow_up_in


def _rate_final(session: Session, internship: Internship, arjun: User,
                outcomes: tuple[str, ...]) -> None:
    objectives = service.objectives_of(session, internship)
    feedback.rate_objectives(session, internship, arjun, ObjectiveRatingsIn.model_validate({
        "phase": "final", "ratings": [{"objective_id": o.id, "outcome": outcome, "score": 4}
                                      for o, outcome in zip(objectives, outcomes, strict=True)]}))


@pytest.fixture
def reported(session: Session, active_internship: Internship, arjun: User, meera: User,
             afreen: User, rajeev: User, afreen_firm: Business) -> Internship:
    """Rated, planned, approved and followed up once: every level has data."""
    from exchange.internships import plans
    from exchange.internships.progress_schemas import ReviewIn
    from exchange.internships.states import Action
    from tests.internships.progress_helpers import plan_in

    internship = service.act(session, active_internship, arjun, Action.complete)
    _rate_final(session, internship, arjun, ("achieved", "partly"))
    feedback.submit(session, internship, meera, FeedbackKind.intern_reaction,
                    RatingIn(rating=5, comment="Loved it."))
    feedback.submit(session, internship, afreen, FeedbackKind.home_partnership, RatingIn(rating=4))
    feedback.submit(session, internship, rajeev, FeedbackKind.host_partnership, RatingIn(rating=3))
    plans.submit(session, internship, meera, plan_in())
    plans.approve(session, internship, afreen, ReviewIn())
    # Step 1 (due in 14 days) done today: on time; KPIs: leads 2 → 7 of 12, cost 300 → 250 of 200.
    followups.record(session, internship, meera, 30, follow_up_in(session, internship, done=1))
    content = session.exec(select(Process).where(
        Process.key == "marketing.content_marketing")).one()
    cell = session.exec(select(MatrixCell).where(MatrixCell.business_id == afreen_firm.id,
                                                 MatrixCell.process_id == content.id)).one()
    cell.level = 3  # Afreen's firm re-assessed itself after the internship
    session.add(cell)
    session.flush()
    return internship


def test_all_four_levels_of_one_internship(session: Session, reported: Internship) -> None:
    r = report.internship_report(session, reported)
    assert (r.reaction.intern_rating, r.reaction.home_partnership,
            r.reaction.host_partnership) == (5, 4, 3)
    assert r.learning.rated == 2 and r.learning.achieved_share == 0.5
    levels = {p.key: (p.at_proposal, p.now) for p in r.learning.processes}
    assert levels == {"marketing.content_marketing": (1, 3), "marketing.lead_generation": (1, 1)}
    assert r.learning.mean_level_gain == 1
    assert r.behaviour.follow_up_day == 30
    # Only step 1 was done; none of the others was due yet by the follow-up.
    assert [s.verdict for s in r.behaviour.steps] == ["done on time", "not due yet",
                                                      "not due yet"]
    assert (r.behaviour.due, r.behaviour.on_time, r.behaviour.on_time_share) == (1, 1, 1.0)
    progress = {k.name: k.progress for k in r.results.kpis}
    assert progress == {"Organic leads per month": 0.5, "Cost per new client": 0.5}
    assert r.results.mean_progress == 0.5


def test_a_late_step_and_a_missed_step_count_against_on_time(
        session: Session, reported: Internship, meera: User) -> None:
    data = follow_up_in(session, reported, done=1, actuals=(14, 180))
    data.steps[0].done_on = TODAY
    followups.record(session, reported, meera, 60, data)
    row = followups.latest_recorded(session, reported)
    assert row is not None
    # Pretend the 60-day follow-up was recorded after every step's due date.
    row.follow_up.recorded_at = row.follow_up.recorded_at + timedelta(days=50)  # type: ignore[operator]
    r = report.internship_report(session, reported)
    assert [s.verdict for s in r.behaviour.steps] == ["done on time", "overdue", "overdue"]
    assert r.behaviour.on_time_share == pytest.approx(1 / 3)
    # Past the target: shown unclamped per KPI, clamped to 1 in the mean.
    assert {k.name: k.progress for k in r.results.kpis} == {
        "Organic leads per month": 1.2, "Cost per new client": 1.2}
    assert r.results.mean_progress == 1.0


def test_an_internship_without_a_plan_reports_what_it_has(
        session: Session, completed_internship: Internship, meera: User) -> None:
    feedback.submit(session, completed_internship, meera, FeedbackKind.intern_reaction,
                    RatingIn(rating=4))
    r = report.internship_report(session, completed_internship)
    assert r.reaction.intern_rating == 4 and r.reaction.home_partnership is None
    assert r.learning.achieved_share is None
    assert r.behaviour.steps == [] and r.behaviour.on_time_share is None
    assert r.results.kpis == [] and r.results.mean_progress is None
    assert r.plan_version is None


def test_the_business_report_sums_up_its_internships(
        session: Session, reported: Internship, afreen_firm: Business,
        rajeev_firm: Business) -> None:
    business = report.business_report(session, afreen_firm)
    assert [r.internship.id for r in business.internships] == [reported.id]
    t = business.totals
    assert (t.internships, t.intern_rating, t.home_partnership, t.host_partnership) == (
        1, 5, 4, 3)
    assert (t.objectives_rated, t.objectives_achieved, t.achieved_share) == (2, 1, 0.5)
    assert (t.steps_due, t.steps_on_time, t.kpis_measured, t.mean_kpi_progress) == (
        1, 1, 2, 0.5)
    # Rajeev's firm only hosted: as a home business it has nothing to report.
    assert report.business_report(session, rajeev_firm).totals.internships == 0


def test_aggregate_over_a_set_of_businesses(session: Session, reported: Internship,
                                            afreen_firm: Business,
                                            rajeev_firm: Business) -> None:
    both = report.aggregate(session, [afreen_firm.id or 0, rajeev_firm.id or 0])
    assert both.internships == 1 and both.mean_level_gain == 1
    assert report.aggregate(session, []).internships == 0
    empty = report.aggregate(session, [rajeev_firm.id or 0])
    assert empty.intern_rating is None and empty.achieved_share is None


def test_proposals_are_not_reported(session: Session, internship: Internship,
                                    afreen_firm: Business) -> None:
    assert report.business_report(session, afreen_firm).internships == []


def test_csv_of_one_internship_and_of_the_business(session: Session, reported: Internship,
                                                   afreen_firm: Business) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(
        report.internship_csv(report.internship_report(session, reported)))))
    levels = {r["level"] for r in rows}
    assert levels == {"reaction", "learning", "behaviour", "results"}
    leads = [r for r in rows if r["item"] == "Organic leads per month"]
    assert {r["measure"]: r["value"] for r in leads} == {
        "baseline": "2", "target": "12", "actual": "7", "progress_share": "0.5"}
    business = list(csv.DictReader(io.StringIO(
        report.business_csv(report.business_report(session, afreen_firm)))))
    assert [r["internship_id"] for r in business] == [str(reported.id), "total"]
    assert business[0]["achieved_share"] == "0.5" and business[1]["intern_rating"] == "5"


def test_the_hosts_partnership_rating_stays_hidden_until_the_home_side_gave_its_own(
        session: Session, completed_internship: Internship, rajeev: User, afreen: User) -> None:
    """The report follows feedback.py's blind, mutual rule: Rajeev rated first, so Afreen's
    report shows no host rating until she has rated the partnership herself."""
    feedback.submit(session, completed_internship, rajeev, FeedbackKind.host_partnership,
                    RatingIn(rating=2, comment="Arrived late every day."))
    before = report.internship_report(session, completed_internship)
    assert (before.reaction.host_partnership, before.reaction.home_partnership) == (None, None)
    assert "late" not in report.internship_csv(before)
    feedback.submit(session, completed_internship, afreen, FeedbackKind.home_partnership,
                    RatingIn(rating=4))
    after = report.internship_report(session, completed_internship)
    assert (after.reaction.host_partnership, after.reaction.home_partnership) == (2, 4)
