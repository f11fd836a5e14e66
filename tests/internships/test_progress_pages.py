"""Progress pages: the reference story through the forms, re-rendered errors, extra plan rows
without script, the plan diff, and the printable report with charts and their tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.internships import plans, service
from exchange.internships.models import HostTask, ImplementationPlan, Internship
from exchange.profiles.models import Business
from tests.internships.progress_helpers import TODAY, plan_data


def _plan_form(data: dict[str, Any], **extra: str) -> dict[str, str]:
    form = {k: data[k] for k in ("current_state", "target_state", "risks")}
    for n, step in enumerate(data["steps"]):
        form.update({f"steps[{n}].{k}": str(v) for k, v in step.items()})
    for n, kpi in enumerate(data["kpis"]):
        form.update({f"kpis[{n}].{k}": str(v) for k, v in kpi.items()})
    form.update(extra)
    return form


def test_the_mentor_adds_a_task_and_the_intern_completes_it(
        make_client: Any, session: Session, active_internship: Internship, arjun: User,
        meera: User) -> None:
    base = f"/internships/{active_internship.id}"
    mentor = make_client(arjun)
    page = mentor.get(base + "/tasks")
    assert page.status_code == 200 and "Add a task" in page.text
    due = (active_internship.start_date + timedelta(days=1)).isoformat()
    r = mentor.submit(base + "/tasks", {"title": "Draft a content calendar", "due_date": due,
                                        "description": "Three months."})
    assert r.status_code == 303
    task = session.exec(select(HostTask)).one()
    intern = make_client(meera)
    assert "Add a task" not in intern.get(base + "/tasks").text
    r = intern.submit(f"{base}/tasks/{task.id}/progress", {"status": "done", "note": "Shared"})
    assert r.status_code == 303
    assert mentor.submit(f"{base}/tasks/{task.id}/comment",
                         {"mentor_comment": "Lovely"}).status_code == 303
    text = intern.get(base + "/tasks").text
    assert "Lovely" in text and "pg-status-done" in text


def test_an_invalid_task_re_renders_with_the_message(
        make_client: Any, session: Session, active_internship: Internship, arjun: User) -> None:
    r = make_client(arjun).submit(f"/internships/{active_internship.id}/tasks",
                                  {"title": "Ok title", "due_date": (
                                      active_internship.end_date + timedelta(days=9)).isoformat()})
    assert r.status_code == 422
    assert "The due date must fall within the internship" in r.text
    assert 'value="Ok title"' in r.text
    assert session.exec(select(HostTask)).all() == []


def test_overdue_tasks_are_marked(make_client: Any, session: Session,
                                  active_internship: Internship, meera: User) -> None:
    session.add(HostTask(internship_id=active_internship.id or 0, title="Late one",
                         due_date=TODAY - timedelta(days=2)))
    session.commit()
    text = make_client(meera).get(f"/internships/{active_internship.id}/tasks").text
    assert "is-overdue" in text and "Overdue" in text


def test_the_intern_is_refused_the_host_forms(make_client: Any,
                                              active_internship: Internship,
                                              meera: User, charlie: User) -> None:
    base = f"/internships/{active_internship.id}"
    assert make_client(meera).submit(base + "/tasks", {"title": "Mine"}).status_code == 403
    assert make_client(charlie).get(base + "/tasks").status_code == 404
    assert make_client(None).get(base + "/tasks").status_code in {303, 401}


def test_feedback_forms_and_the_wait_for_the_reaction(
        make_client: Any, session: Session, active_internship: Internship, arjun: User,
        meera: User, rajeev: User) -> None:
    base = f"/internships/{active_internship.id}"
    mentor = make_client(arjun)
    page = mentor.get(base + "/feedback")
    assert "Midway ratings" in page.text and "Final ratings" in page.text
    objectives = service.objectives_of(session, active_internship)
    form = {"phase": "midway"}
    for n, o in enumerate(objectives):
        form.update({f"ratings[{n}].objective_id": str(o.id),
                     f"ratings[{n}].outcome": "partly", f"ratings[{n}].score": "3"})
    missing = dict(form)
    del missing["ratings[1].score"]
    bad = mentor.submit(base + "/feedback/objectives", missing)
    assert bad.status_code == 422 and "field-error" in bad.text
    assert mentor.submit(base + "/feedback/objectives", form).status_code == 303
    assert "Midway ratings" not in mentor.get(base + "/feedback").text
    service.act(session, active_internship, arjun, service.Action.complete)
    session.commit()
    intern = make_client(meera)
    assert "How was your internship?" in intern.get(base + "/feedback").text
    assert intern.submit(base + "/feedback/give", {"kind": "intern_reaction",
                                                   "rating": "5"}).status_code == 303
    host_page = make_client(rajeev).get(base + "/feedback").text
    assert "is in." in host_page and "final ratings" in host_page


def test_the_plan_form_adds_rows_without_script_and_keeps_what_was_typed(
        make_client: Any, completed_internship: Internship, meera: User) -> None:
    base = f"/internships/{completed_internship.id}"
    intern = make_client(meera)
    page = intern.get(base + "/plan")
    assert page.text.count('name="steps[') // 4 == 3  # no version yet: three empty rows
    data = plan_data()
    blanks = {f"steps[{n}].{k}": "" for n in (3, 4) for k in data["steps"][0]}  # as sent
    r = intern.submit(base + "/plan", _plan_form(data, add_rows="steps", **blanks))
    assert r.status_code == 200
    assert 'value="Set up the blog on our website"' in r.text
    assert 'name="steps[7].action"' in r.text  # 3 filled + 2 blank + 3 more
    assert 'name="steps[8].action"' not in r.text


def test_plan_errors_point_at_the_row(make_client: Any, completed_internship: Internship,
                                      meera: User, session: Session) -> None:
    data = plan_data()
    data["kpis"][1]["baseline"] = "lots"
    r = make_client(meera).submit(f"/internships/{completed_internship.id}/plan",
                                  _plan_form(data))
    assert r.status_code == 422
    assert 'id="f-kpis[1].baseline-error"' in r.text
    assert session.exec(select(ImplementationPlan)).all() == []


def test_submit_review_resubmit_diff_approve_through_the_pages(
        make_client: Any, session: Session, completed_internship: Internship, meera: User,
        afreen: User) -> None:
    base = f"/internships/{completed_internship.id}"
    intern, owner = make_client(meera), make_client(afreen)
    assert intern.submit(base + "/plan", _plan_form(plan_data())).status_code == 303
    review = owner.get(base + "/plan")
    assert "Your review of version 1" in review.text
    refused = owner.submit(base + "/plan/request-changes", {"comment": ""})
    assert refused.status_code == 422 and "Say what should change" in refused.text
    assert owner.submit(base + "/plan/request-changes",
                        {"comment": "Who writes the articles?"}).status_code == 303
    data = plan_data()
    data["steps"][1]["owner"] = "Meera with Farah"
    form = intern.get(base + "/plan").text
    assert 'value="Set up the blog on our website"' in form  # pre-filled from version 1
    assert intern.submit(base + "/plan", _plan_form(data)).status_code == 303
    review = owner.get(base + "/plan").text
    assert "What changed since version 1" in review and "Meera with Farah" in review
    diff = owner.get(base + "/plan/diff?from_version=1&to_version=2")
    assert diff.status_code == 200 and "<del>Meera</del>" in diff.text
    assert owner.get(base + "/plan/versions/1").status_code == 200
    assert owner.submit(base + "/plan/approve", {"comment": ""}).status_code == 303
    assert plans.approved(session, completed_internship) is not None


def test_the_host_does_not_see_the_plan(make_client: Any, plan_submitted_internship: Internship,
                                        rajeev: User, arjun: User) -> None:
    for person in (rajeev, arjun):
        assert make_client(person).get(
            f"/internships/{plan_submitted_internship.id}/plan").status_code == 403


def test_recording_a_follow_up_through_the_page(
        make_client: Any, session: Session, plan_approved_internship: Internship,
        meera: User) -> None:
    base = f"/internships/{plan_approved_internship.id}"
    intern = make_client(meera)
    page = intern.get(base + "/follow-ups")
    assert "Record the 30-day follow-up" in page.text
    version = plans.load(session, plans.approved(session, plan_approved_internship))
    form: dict[str, str] = {"notes": "Blog live"}
    for n, s in enumerate(version.steps):
        form.update({f"steps[{n}].step_id": str(s.id),
                     f"steps[{n}].status": "done" if n == 0 else "in_progress"})
    for n, k in enumerate(version.kpis):
        form.update({f"kpis[{n}].kpi_id": str(k.id), f"kpis[{n}].actual": ""})
    bad = intern.submit(base + "/follow-ups/30", form)
    assert bad.status_code == 422 and 'id="f-kpis[0].actual-error"' in bad.text
    form.update({"kpis[0].actual": "7", "kpis[1].actual": "250"})
    assert intern.submit(base + "/follow-ups/30", form).status_code == 303
    text = intern.get(base + "/follow-ups").text
    assert "Record the 60-day follow-up" in text and "Blog live" in text
    # The 60-day form starts from the 30-day answers: step 1 stays done, the KPIs as they were.
    assert '<option value="done" selected>' in text and 'value="250"' in text


def test_a_follow_up_waits_for_you_only_once_it_is_due(
        make_client: Any, session: Session, plan_approved_internship: Internship,
        meera: User) -> None:
    from exchange.internships.models import FollowUp

    page = f"/internships/{plan_approved_internship.id}"
    assert "Record the 30-day follow-up" not in make_client(meera).get(page).text
    first = session.exec(select(FollowUp).where(FollowUp.day == 30)).one()
    first.due_date = TODAY
    session.add(first)
    session.commit()
    assert "Record the 30-day follow-up" in make_client(meera).get(page).text


def test_the_report_page_has_charts_with_text_alternatives(
        make_client: Any, plan_approved_internship: Internship, afreen: User,
        meera: User) -> None:
    base = f"/internships/{plan_approved_internship.id}"
    page = make_client(afreen).get(base + "/report")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart"') == 4
    assert page.text.count("text alternative to the chart") == 4
    assert "<title id=" in page.text and "<desc id=" in page.text
    csv = make_client(afreen).get(base + "/report.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert make_client(meera).get(base + "/report").status_code == 403


def test_the_business_report_page(make_client: Any, plan_approved_internship: Internship,
                                  afreen_firm: Business, farah: User, meera: User) -> None:
    url = f"/businesses/{afreen_firm.slug}/internship-report"
    page = make_client(farah).get(url)
    assert page.status_code == 200 and plan_approved_internship.title in page.text
    assert '<svg class="chart"' in page.text
    assert make_client(farah).get(url + ".csv").text.startswith("internship_id,")
    assert make_client(meera).get(url).status_code == 403


@pytest.mark.parametrize("who", ["afreen", "arjun", "meera"])
def test_the_progress_section_on_the_internship_page(
        make_client: Any, plan_submitted_internship: Internship, who: str,
        request: pytest.FixtureRequest) -> None:
    text = make_client(request.getfixturevalue(who)).get(
        f"/internships/{plan_submitted_internship.id}").text
    assert 'id="progress-heading"' in text
    if who == "afreen":
        assert "Review the implementation plan" in text and "/report" in text
    if who == "arjun":
        assert "Implementation plan" not in text.split('id="progress-heading"')[1].split(
            "</section>")[0]
