"""Round pages: Nina (network admin) opens and clears a round and sees the cycles; member owners
confirm and answer; strangers, interns and other admins are turned away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session

from exchange.accounts.models import User
from exchange.rounds import service
from exchange.rounds.models import ExchangeRound
from tests.conftest import Client
from tests.rounds.conftest import WINDOW_START, RoundWorld


def _open(client: Client, world: RoundWorld, **overrides: str) -> str:
    form = {"name": "Autumn exchange", "window_start": WINDOW_START.isoformat(),
            "window_end": (WINDOW_START + timedelta(days=30)).isoformat(),
            "max_cycle_length": "3", "prefer": "more_firms", "answer_days": "7"}
    form.update(overrides)
    r = client.submit(f"/networks/{world.network.slug}/rounds", form)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def _confirm_everyone(make_client: Callable[..., Client], world: RoundWorld,
                      round_id: int) -> None:
    for firm, owner, intern in zip(world.firms, world.owners, world.interns, strict=True):
        r = make_client(owner).submit(f"/rounds/{round_id}/participation", {
            "business_id": str(firm.id), "take_part": "yes", "intern_ids": str(intern.id),
            "capacity": "1"})
        assert r.status_code == 303, r.text


def test_nina_runs_a_round_from_her_pages(make_client: Callable[..., Client],
                                          session: Session, round_world: RoundWorld) -> None:
    nina = make_client(round_world.nina)
    page = nina.get(f"/networks/{round_world.network.slug}/rounds")
    assert page.status_code == 200
    assert "Open a round" in page.text
    location = _open(nina, round_world)
    round_id = int(location.rsplit("/", 1)[1])
    _confirm_everyone(make_client, round_world, round_id)
    r = nina.submit(f"{location}/clear")
    assert r.status_code == 303
    admin = nina.get(location)
    assert admin.status_code == 200
    assert "<svg" in admin.text and "Cycles of the round" in admin.text
    # The text alternative names every cycle.
    assert "Ring Bakery → Ring Content Studio → Ring Accountants → Ring Bakery" in admin.text
    assert "waits on" in admin.text
    assert "proven optimal" in admin.text


def test_bad_round_form_re_renders_with_the_messages(make_client: Callable[..., Client],
                                                     round_world: RoundWorld) -> None:
    nina = make_client(round_world.nina)
    r = nina.submit(f"/networks/{round_world.network.slug}/rounds", {
        "name": "x", "window_start": "soon", "window_end": WINDOW_START.isoformat()})
    assert r.status_code == 422
    assert "Enter a date as YYYY-MM-DD." in r.text
    r = nina.submit(f"/networks/{round_world.network.slug}/rounds", {
        "name": "x", "window_start": WINDOW_START.isoformat(),
        "window_end": WINDOW_START.isoformat()})
    assert r.status_code == 422
    assert "3 to 120 characters" in r.text
    assert service.rounds_of(nina.db, round_world.network) == []


def test_members_confirm_and_answer_on_their_page(make_client: Callable[..., Client],
                                                  session: Session,
                                                  round_world: RoundWorld) -> None:
    nina = make_client(round_world.nina)
    location = _open(nina, round_world)
    round_id = int(location.rsplit("/", 1)[1])
    baker = make_client(round_world.owners[0])
    page = baker.get(f"/rounds/{round_id}")
    assert page.status_code == 200
    assert "Who would you send?" in page.text and "Intern 0" in page.text
    # Naming an intern of another firm is refused with the reason, nothing saved.
    r = baker.submit(f"/rounds/{round_id}/participation", {
        "business_id": str(round_world.firms[0].id), "take_part": "yes",
        "intern_ids": str(round_world.interns[1].id), "capacity": "1"})
    assert r.status_code == 422
    assert "Not an intern of Ring Bakery" in r.text
    _confirm_everyone(make_client, round_world, round_id)
    nina.submit(f"{location}/clear")
    page = baker.get(f"/rounds/{round_id}")
    assert "Your proposals" in page.text and "Accept" in page.text
    assert "Pair Logistics" not in page.text.split("Your proposals")[1].split(
        "Your participation")[0], "a member sees only its own cycle"
    round_ = session.get(ExchangeRound, round_id)
    assert round_ is not None
    ring = next(p for p, _ in service.proposals_of(session, round_) if len(p.business_ids) == 3)
    r = baker.submit(f"/rounds/{round_id}/proposals/{ring.id}/answer", {
        "business_id": str(round_world.firms[0].id), "answer": "decline"})
    assert r.status_code == 303
    session.expire_all()
    assert session.get(type(ring), ring.id).state == "declined"  # type: ignore[union-attr]


def test_strangers_interns_and_other_admins_are_turned_away(
        make_client: Callable[..., Client], session: Session, round_world: RoundWorld,
        charlie: User, afreen: User) -> None:
    location = _open(make_client(round_world.nina), round_world)
    round_id = int(location.rsplit("/", 1)[1])
    for intruder in (charlie, round_world.owners[0], round_world.interns[0], afreen):
        client = make_client(intruder)
        assert client.get(location).status_code == 404, intruder.display_name
        r = client.submit(f"{location}/clear")
        assert r.status_code == 404, intruder.display_name
        assert client.get(f"/networks/{round_world.network.slug}/rounds").status_code == 404
    for outsider in (charlie, round_world.interns[0], afreen):
        assert make_client(outsider).get(f"/rounds/{round_id}").status_code == 404
    # The bakery's owner cannot confirm for another member.
    r = make_client(round_world.owners[0]).submit(f"/rounds/{round_id}/participation", {
        "business_id": str(round_world.firms[1].id), "take_part": "yes",
        "intern_ids": str(round_world.interns[1].id), "capacity": "1"})
    assert r.status_code == 404
    round_ = session.get(ExchangeRound, round_id)
    assert round_ is not None
    assert not any(p.confirmed for p in service.participants_of(session, round_))


def test_a_clearing_cut_short_says_how_close_it_is(make_client: Callable[..., Client],
                                                   session: Session,
                                                   round_world: RoundWorld) -> None:
    # This little network is solved in no time; the report a time-limited clearing writes
    # (tests/rounds/test_round_service.py) is put in place to see how the page words it.
    nina = make_client(round_world.nina)
    location = _open(nina, round_world)
    round_id = int(location.rsplit("/", 1)[1])
    _confirm_everyone(make_client, round_world, round_id)
    assert nina.submit(f"{location}/clear").status_code == 303
    round_ = session.get(ExchangeRound, round_id)
    assert round_ is not None
    session.refresh(round_)
    total = round_.last_result["total_weight"]
    round_.last_result = {**round_.last_result, "status": "time_limit", "proven_optimal": False,
                          "bound": total / 0.996, "gap": 0.004}
    session.add(round_)
    session.commit()
    admin = nina.get(location)
    assert "within 0.4 % of the best possible (time limit reached)" in admin.text
