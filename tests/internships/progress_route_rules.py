"""Rules of the internship progress routes (tasks, feedback, plan, follow-ups, reports), merged
into tests/internships/route_rules.py. The world and its intruders are that module's: the
internship is Afreen's proposal to Rajeev's firm with Meera as intern and Arjun as mentor, and
Nila is the intern of another internship.

Rules added here:
- internship_intern (only the intern): also Afreen, Farah, Rajeev and Arjun are turned away;
- plan_reader (the intern and the home side): also Rajeev and Arjun.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from exchange.internships.models import (
    Feedback,
    FollowUp,
    HostTask,
    ImplementationPlan,
    ObjectiveRating,
)
from tests.internships.progress_helpers import plan_data
from tests.internships.route_rules import _intruders, setup
from tests.support.inventory import HOME_SIDE, HOST_SIDE, MANAGER, PARTICIPANT, Rule

INTERN_ONLY = Rule("internship_intern")
PLAN_READER = Rule("plan_reader")
_API = "/api/v1/internships/{internship_id}"
_RATINGS = {"phase": "final", "ratings": [{"objective_id": 1, "outcome": "achieved", "score": 4}]}
_FOLLOW_UP = {"steps": [], "kpis": [], "notes": "Intruder"}
_PAGE = "/internships/{internship_id}"


def _plan_form() -> dict[str, str]:
    data = plan_data()
    form = {k: data[k] for k in ("current_state", "target_state", "risks")}
    for part in ("steps", "kpis"):
        for n, row in enumerate(data[part]):
            form.update({f"{part}[{n}].{k}": str(v) for k, v in row.items()})
    return form


_PLAN_FORM = _plan_form()

PUBLIC: set[tuple[str, str]] = set()

PROTECTED: dict[tuple[str, str], Rule] = {
    ("GET", f"{_API}/tasks"): PARTICIPANT,
    ("POST", f"{_API}/tasks"): Rule("host_side", body={"title": "Intruder's task"}),
    ("PATCH", f"{_API}/tasks/{{task_id}}"): Rule("host_side", body={"mentor_comment": "Hi"}),
    ("DELETE", f"{_API}/tasks/{{task_id}}"): HOST_SIDE,
    ("POST", f"{_API}/tasks/{{task_id}}/progress"): Rule("internship_intern",
                                                          body={"status": "done"}),
    ("GET", f"{_API}/feedback"): PARTICIPANT,
    ("POST", f"{_API}/feedback/objectives"): Rule("host_side", body=_RATINGS),
    ("POST", f"{_API}/feedback/reaction"): Rule("internship_intern", body={"rating": 1}),
    ("POST", f"{_API}/feedback/home-partnership"): Rule("home_side", body={"rating": 1}),
    ("POST", f"{_API}/feedback/host-partnership"): Rule("host_side", body={"rating": 1}),
    ("GET", f"{_API}/plan"): PLAN_READER,
    ("GET", f"{_API}/plan/versions/{{version}}"): PLAN_READER,
    ("GET", f"{_API}/plan/diff"): PLAN_READER,
    ("POST", f"{_API}/plan"): Rule("internship_intern", body=plan_data()),
    ("POST", f"{_API}/plan/approve"): Rule("home_side", body={}),
    ("POST", f"{_API}/plan/request-changes"): Rule("home_side", body={"comment": "No"}),
    ("GET", f"{_API}/follow-ups"): PLAN_READER,
    ("POST", f"{_API}/follow-ups/{{day}}"): Rule("plan_reader", body=_FOLLOW_UP),
    ("GET", f"{_API}/report"): HOME_SIDE,
    ("GET", f"{_API}/report.csv"): HOME_SIDE,
    ("GET", "/api/v1/businesses/{slug}/internship-report"): MANAGER,
    ("GET", "/api/v1/businesses/{slug}/internship-report.csv"): MANAGER,
    # pages
    ("GET", f"{_PAGE}/tasks"): PARTICIPANT,
    ("POST", f"{_PAGE}/tasks"): Rule("host_side", body={"title": "Intruder's task"}),
    ("POST", f"{_PAGE}/tasks/{{task_id}}/progress"): Rule("internship_intern",
                                                           body={"status": "done"}),
    ("POST", f"{_PAGE}/tasks/{{task_id}}/comment"): Rule("host_side",
                                                          body={"mentor_comment": "Hi"}),
    ("POST", f"{_PAGE}/tasks/{{task_id}}/remove"): HOST_SIDE,
    ("GET", f"{_PAGE}/feedback"): PARTICIPANT,
    ("POST", f"{_PAGE}/feedback/objectives"): Rule("host_side", body={
        "phase": "final", "ratings[0].objective_id": "1", "ratings[0].outcome": "achieved",
        "ratings[0].score": "4"}),
    ("POST", f"{_PAGE}/feedback/give"): Rule("participant", body={
        "kind": "intern_reaction", "rating": "1"}),
    ("GET", f"{_PAGE}/plan"): PLAN_READER,
    ("POST", f"{_PAGE}/plan"): Rule("internship_intern", body=_PLAN_FORM),
    ("GET", f"{_PAGE}/plan/versions/{{version}}"): PLAN_READER,
    ("GET", f"{_PAGE}/plan/diff"): PLAN_READER,
    ("POST", f"{_PAGE}/plan/approve"): HOME_SIDE,
    ("POST", f"{_PAGE}/plan/request-changes"): Rule("home_side", body={"comment": "No"}),
    ("GET", f"{_PAGE}/follow-ups"): PLAN_READER,
    ("POST", f"{_PAGE}/follow-ups/{{day}}"): Rule("plan_reader", body={"notes": "Intruder"}),
    ("GET", f"{_PAGE}/report"): HOME_SIDE,
    ("GET", f"{_PAGE}/report.csv"): HOME_SIDE,
    ("GET", "/businesses/{slug}/internship-report"): MANAGER,
    ("GET", "/businesses/{slug}/internship-report.csv"): MANAGER,
}

INTRUDERS = {
    "internship_intern": _intruders("afreen", "farah", "rajeev", "arjun"),
    "plan_reader": _intruders("rajeev", "arjun"),
}


def _first_task(world: Any) -> int:
    """A real task of the internship, so that a turned-away caller is refused for who they are
    and not because the task does not exist."""
    internship = setup(world).internship
    s = world.session
    task = s.exec(select(HostTask).where(HostTask.internship_id == internship.id)).first()
    if task is None:
        task = HostTask(internship_id=internship.id or 0, title="Read the style guide")
        s.add(task)
        s.commit()
    return task.id or 0


def _progress_fingerprint(world: Any) -> tuple[Any, ...]:
    _first_task(world)  # made before the "before" picture, not between the two
    s = world.session
    s.expire_all()
    return (
        sorted((t.id, t.title, t.status, t.mentor_comment, t.intern_note)
               for t in s.exec(select(HostTask))),
        s.exec(select(func.count()).select_from(ObjectiveRating)).one(),
        s.exec(select(func.count()).select_from(Feedback)).one(),
        sorted((p.id, p.status) for p in s.exec(select(ImplementationPlan))),
        s.exec(select(func.count()).select_from(FollowUp).where(
            col(FollowUp.recorded_at).is_not(None))).one(),
    )


FINGERPRINTS = [_progress_fingerprint]

PARAMS = {"task_id": _first_task, "version": lambda w: 1, "day": lambda w: 30}
