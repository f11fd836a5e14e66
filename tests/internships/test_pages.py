"""Internship pages: the proposal form pre-filled from the suggestion, the dashboard sections,
the detail page's buttons (exactly the actions open to you), accepting with a mentor, acting,
refusals with a clear message and nothing changed, the agreement editor, the inbox and its
unread count in the navigation."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.internships import service
from exchange.internships.models import Internship
from exchange.internships.states import ACTION_LABELS, Action
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.internships.conftest import TODAY


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Internship)).one()


def _reload(session: Session, internship: Internship) -> Internship:
    session.expire_all()
    fresh = session.get(Internship, internship.id)
    assert fresh is not None
    return fresh


def _buttons(html: str) -> set[str]:
    """Labels of the action buttons and links in the "What you can do" box."""
    box = html.split('id="todo"', 1)[1].split("</section>", 1)[0]
    labels = set(re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', box))
    labels |= set(re.findall(r'<a class="button[^"]*" href="[^"]*">([^<]+)</a>', box))
    return {" ".join(label.split()) for label in labels}


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "host": "rajeev-ux-consultancy",
        "title": "Content marketing at Rajeev's",
        "focus_processes": ["marketing.content_marketing"],
        "objectives[0].statement": "Plan a monthly content calendar",
        "objectives[0].success_criterion": "A 3-month calendar approved by Afreen",
        "objectives[2].statement": "Publish two blog articles",
        "objectives[2].success_criterion": "Two articles live",
        "start_date": (TODAY + timedelta(days=7)).isoformat(),
        "end_date": (TODAY + timedelta(days=11)).isoformat(),
        "schedule_notes": "Mon–Fri", "confidentiality_terms": "Client names stay private.",
    }
    data.update(overrides)
    return data


# -- proposing ---------------------------------------------------------------------------------


def test_propose_form_is_prefilled_from_the_suggestion(
        make_client: Callable[..., Client], afreen: User, meera: User, afreen_firm: Business,
        rajeev_firm: Business) -> None:
    page = make_client(afreen).get(
        f"/businesses/{afreen_firm.slug}/internships/new?host={rajeev_firm.slug}")
    assert page.status_code == 200, page.text[:2000]
    html = page.text
    # Afreen's firm learns content marketing and lead generation from Rajeev's: both ticked.
    for key in ("marketing.content_marketing", "marketing.lead_generation"):
        assert re.search(rf'value="{re.escape(key)}" checked', html), key
    assert "Learn how Rajeev UX Consultancy does content marketing" in html
    assert "rates itself 3 or better in content marketing (now 1)" in html
    # Meera is the only intern: chosen already. The suggested length is shown and used.
    assert re.search(rf'<option value="{meera.id}" selected>Meera Joshi</option>', html)
    days = service.suggest_duration_days([2, 2])
    assert f"<strong>{days} days</strong>" in html or f"<strong>{days} day" in html
    start = re.search(r'id="f-start_date" name="start_date" type="date" value="([\d-]+)"', html)
    end = re.search(r'id="f-end_date" name="end_date" type="date" value="([\d-]+)"', html)
    assert start and end
    assert (TODAY + timedelta(days=14)).isoformat() == start.group(1)
    assert (TODAY + timedelta(days=14 + days - 1)).isoformat() == end.group(1)


def test_propose_without_host_searches_for_one(
        make_client: Callable[..., Client], afreen: User, afreen_firm: Business,
        rajeev_firm: Business) -> None:
    client = make_client(afreen)
    page = client.get(f"/businesses/{afreen_firm.slug}/internships/new?host_q=Rajeev")
    assert page.status_code == 200
    assert f'href="/businesses/{afreen_firm.slug}/internships/new?host={rajeev_firm.slug}"' in \
        page.text
    unknown = client.get(f"/businesses/{afreen_firm.slug}/internships/new?host=nowhere")
    assert "No business with that address is visible to you." in unknown.text


def test_proposing_creates_it_and_redirects_to_it(
        make_client: Callable[..., Client], afreen: User, meera: User, afreen_firm: Business,
        rajeev_firm: Business, session: Session) -> None:
    client = make_client(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/internships/new",
                      _form(intern_id=str(meera.id)))
    assert r.status_code == 303, r.text[:3000]
    (internship,) = session.exec(select(Internship)).all()
    assert r.headers["location"] == f"/internships/{internship.id}"
    assert [o.statement for o in service.objectives_of(session, internship)] == [
        "Plan a monthly content calendar", "Publish two blog articles"]
    page = client.get(r.headers["location"])
    assert "Proposed to Rajeev UX Consultancy" in page.text
    assert _buttons(page.text) == {"Edit the agreement", "Accept version 1 of the agreement",
                                   "Withdraw the proposal"}


def test_proposal_errors_are_shown_on_the_form_and_nothing_is_saved(
        make_client: Callable[..., Client], afreen: User, meera: User, farah: User,
        afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    client = make_client(afreen)
    # The form's own checks first: the row the user filled in is named.
    r = client.submit(f"/businesses/{afreen_firm.slug}/internships/new", _form(
        intern_id=str(meera.id), **{"objectives[2].success_criterion": ""}))
    assert r.status_code == 422
    assert 'id="f-objectives[2].success_criterion-error"' in r.text
    assert "Publish two blog articles" in r.text  # what was typed is kept
    # Then the rules: every problem at once.
    r = client.submit(f"/businesses/{afreen_firm.slug}/internships/new", _form(
        intern_id=str(farah.id), end_date=(TODAY + timedelta(days=3)).isoformat()))
    assert r.status_code == 422
    assert "The intern must be a member of Afreen Talent Studio with the intern role." in r.text
    assert 'id="f-end_date-error"' in r.text
    r = client.submit(f"/businesses/{afreen_firm.slug}/internships/new", _form(
        intern_id=str(meera.id), focus_processes=[], start_date=""))
    assert r.status_code == 422
    assert 'id="f-focus_processes-error"' in r.text and 'id="f-start_date-error"' in r.text
    assert _count(session) == 0


def test_suggest_button_fits_the_dates_to_the_chosen_processes(
        make_client: Callable[..., Client], afreen: User, meera: User, afreen_firm: Business,
        rajeev_firm: Business, session: Session) -> None:
    start = TODAY + timedelta(days=20)
    r = make_client(afreen).submit(f"/businesses/{afreen_firm.slug}/internships/new", _form(
        intern_id=str(meera.id), action="suggest", start_date=start.isoformat(),
        focus_processes=["marketing.content_marketing", "marketing.lead_generation"]))
    assert r.status_code == 200
    days = service.suggest_duration_days([2, 2])
    assert f'value="{(start + timedelta(days=days - 1)).isoformat()}"' in r.text
    assert _count(session) == 0


def test_competitors_get_a_clear_message(
        make_client: Callable[..., Client], afreen: User, meera: User, afreen_firm: Business,
        rajeev_firm: Business, session: Session) -> None:
    rajeev_firm.isic_class = afreen_firm.isic_class
    session.add(rajeev_firm)
    session.commit()
    r = make_client(afreen).submit(f"/businesses/{afreen_firm.slug}/internships/new",
                                   _form(intern_id=str(meera.id)))
    assert r.status_code == 409
    assert "No internship is possible" in r.text and "compete" in r.text
    assert _count(session) == 0


def test_interns_and_other_businesses_cannot_propose(
        make_client: Callable[..., Client], meera: User, rajeev: User,
        afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    for person in (meera, rajeev):
        client = make_client(person)
        assert client.get(f"/businesses/{afreen_firm.slug}/internships/new").status_code == 403
        r = client.submit(f"/businesses/{afreen_firm.slug}/internships/new",
                          _form(intern_id=str(meera.id)))
        assert r.status_code == 403
    assert _count(session) == 0


# -- the detail page and acting ----------------------------------------------------------------


def test_each_party_sees_exactly_their_actions_and_accepts(
        make_client: Callable[..., Client], internship: Internship, afreen: User, rajeev: User,
        meera: User, arjun: User, session: Session) -> None:
    url = f"/internships/{internship.id}"
    assert _buttons(make_client(meera).get(url).text) == {
        "Accept version 1 of the agreement", "Decline"}
    assert _buttons(make_client(rajeev).get(url).text) == {
        "Edit the agreement", "Accept version 1 of the agreement", "Decline"}
    r = make_client(meera).submit(f"{url}/accept", {"agreement_version": "1"})
    assert r.status_code == 303
    assert _buttons(make_client(meera).get(url).text) == {"Decline"}
    r = make_client(rajeev).submit(f"{url}/accept", {"agreement_version": "1",
                                                      "mentor_id": str(arjun.id)})
    assert r.status_code == 303
    afreen_client = make_client(afreen)
    r = afreen_client.submit(f"{url}/accept", {"agreement_version": "1"})
    assert _reload(session, internship).state == "accepted"
    page = afreen_client.get(url).text
    assert "Every party has: the internship is agreed." in page
    assert "accepted by Meera Joshi" in page and "accepted by Rajeev Menon" in page
    assert _buttons(make_client(arjun).get(url).text) == {
        "Edit the agreement", "Start the internship", "Cancel the internship"}
    fresh = _reload(session, internship)
    r = make_client(arjun).submit(f"{url}/actions", {"action": "start",
                                                      "expected_version": str(fresh.version)})
    assert r.status_code == 303
    assert _reload(session, internship).state == "active"


def test_refusals_show_a_clear_message_and_change_nothing(
        make_client: Callable[..., Client], accepted_internship: Internship, afreen: User,
        meera: User, arjun: User, session: Session) -> None:
    url = f"/internships/{accepted_internship.id}"
    before = _reload(session, accepted_internship)
    r = make_client(meera).submit(f"{url}/actions", {"action": "start"})
    assert r.status_code == 403
    assert "Only the host owner, mentor can start the internship." in r.text
    assert "Nothing was changed." in r.text
    r = make_client(afreen).submit(f"{url}/actions", {"action": "complete"})
    assert r.status_code == 409
    assert "You cannot mark the internship completed while the internship is accepted." in \
        r.text
    r = make_client(arjun).submit(f"{url}/actions", {"action": "start",
                                                      "expected_version": "1"})
    assert r.status_code == 409 and "Someone else changed this internship" in r.text
    r = make_client(arjun).submit(f"{url}/actions", {"action": "levitate"})
    assert r.status_code == 422
    after = _reload(session, accepted_internship)
    assert (after.state, after.version) == (before.state, before.version)


def test_host_must_name_a_mentor_to_accept(
        make_client: Callable[..., Client], afreen: User, rajeev: User, meera: User,
        arjun: User, afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    from tests.internships.conftest import propose

    internship = propose(session, afreen, afreen_firm, rajeev_firm, meera)
    url = f"/internships/{internship.id}"
    page = make_client(rajeev).get(url).text
    assert f'<option value="{arjun.id}">Arjun Rao</option>' in page
    r = make_client(rajeev).submit(f"{url}/accept", {"agreement_version": "1"})
    assert r.status_code == 422
    assert "Name the mentor who looks after the intern before you accept." in r.text
    assert 'aria-invalid="true"' in r.text
    assert service.acceptances_of(session, _reload(session, internship)) == {}
    # Afreen does not see the host's members.
    assert "Arjun Rao" not in make_client(afreen).get(url).text
    # The mentor picker on its own.
    make_client(rajeev).submit(f"{url}/accept", {"agreement_version": "1",
                                                  "mentor_id": str(arjun.id)})
    r = make_client(rajeev).submit(f"{url}/mentor", {"mentor_id": str(rajeev.id)})
    assert r.status_code == 303
    assert _reload(session, internship).mentor_id == rajeev.id
    r = make_client(afreen).submit(f"{url}/mentor", {"mentor_id": str(afreen.id)})
    assert r.status_code == 403
    assert _reload(session, internship).mentor_id == rajeev.id


def test_intern_sees_no_matrix_levels_and_strangers_get_404(
        make_client: Callable[..., Client], internship: Internship, meera: User,
        afreen: User, charlie: User) -> None:
    url = f"/internships/{internship.id}"
    assert "at level 1" in make_client(afreen).get(url).text
    mine = make_client(meera).get(url)
    assert mine.status_code == 200
    assert "at level" not in mine.text
    assert make_client(charlie).get(url).status_code == 404
    assert make_client(charlie).get("/internships/99999").status_code == 404


def test_the_progress_section_receives_the_participant(
        make_client: Callable[..., Client], internship: Internship, meera: User) -> None:
    page = make_client(meera).get(f"/internships/{internship.id}").text
    assert '<div id="progress">' in page


def test_timeline_is_shown(make_client: Callable[..., Client], accepted_internship: Internship,
                           afreen: User) -> None:
    page = make_client(afreen).get(f"/internships/{accepted_internship.id}").text
    timeline = page.split('id="timeline-heading"', 1)[1]
    assert "Afreen Sheikh proposed the internship" in timeline
    assert "Every party accepted version 1" in timeline


# -- the agreement editor ----------------------------------------------------------------------


def test_editing_the_agreement_makes_a_new_version(
        make_client: Callable[..., Client], accepted_internship: Internship, rajeev: User,
        meera: User, session: Session) -> None:
    url = f"/internships/{accepted_internship.id}"
    client = make_client(rajeev)
    form = client.get(f"{url}/agreement/edit")
    assert form.status_code == 200
    assert "Plan a monthly content calendar" in form.text
    version = re.search(r'name="expected_version" value="(\d+)"', form.text)
    assert version is not None
    data = _form(**{"expected_version": version.group(1), "schedule_notes": "Mornings only"})
    data.pop("host")
    r = client.submit(f"{url}/agreement", data)
    assert r.status_code == 303, r.text[:2000]
    fresh = _reload(session, accepted_internship)
    assert (fresh.state, fresh.agreement_version, fresh.schedule_notes) == (
        "proposed", 2, "Mornings only")
    page = make_client(meera).get(url).text
    assert "Earlier versions" in page and "Accept version 2 of the agreement" in page
    # A stale form is refused with a message.
    r = client.submit(f"{url}/agreement", data)
    assert r.status_code == 409 and "Someone else changed this internship" in r.text
    bad = {**data, "expected_version": str(fresh.version), "title": ""}
    r = client.submit(f"{url}/agreement", bad)
    assert r.status_code == 422 and 'id="f-title-error"' in r.text
    assert _reload(session, accepted_internship).agreement_version == 2


def test_interns_cannot_edit_the_agreement(
        make_client: Callable[..., Client], internship: Internship, meera: User,
        session: Session) -> None:
    client = make_client(meera)
    assert client.get(f"/internships/{internship.id}/agreement/edit").status_code == 403
    data = _form()
    data.pop("host")
    assert client.submit(f"/internships/{internship.id}/agreement", data).status_code == 403
    assert _reload(session, internship).agreement_version == 1


def test_agreement_cannot_be_edited_once_started(
        make_client: Callable[..., Client], active_internship: Internship,
        afreen: User) -> None:
    r = make_client(afreen).get(f"/internships/{active_internship.id}/agreement/edit")
    assert r.status_code == 409


# -- the dashboard -----------------------------------------------------------------------------


def test_dashboard_sections(make_client: Callable[..., Client], internship: Internship,
                            afreen: User, rajeev: User, meera: User, charlie: User,
                            session: Session) -> None:
    def section(html: str, key: str) -> str:
        return html.split(f'id="sec-{key}"', 1)[1].split("</section>", 1)[0]

    afreen_page = make_client(afreen).get("/internships").text
    assert internship.title in section(afreen_page, "awaiting")
    assert internship.title in section(afreen_page, "sending")
    assert internship.title not in section(afreen_page, "hosting")
    assert "Propose an internship" in afreen_page
    rajeev_page = make_client(rajeev).get("/internships").text
    assert internship.title in section(rajeev_page, "hosting")
    meera_page = make_client(meera).get("/internships").text
    assert internship.title in section(meera_page, "intern")
    assert 'id="sec-sending"' not in meera_page
    assert internship.title not in make_client(charlie).get("/internships").text
    service.act(session, internship, afreen, Action.withdraw)
    session.commit()
    afreen_page = make_client(afreen).get("/internships").text
    assert internship.title in section(afreen_page, "past")
    assert internship.title not in section(afreen_page, "awaiting")
    assert ACTION_LABELS[Action.withdraw]  # the label table is what the cards use


# -- the inbox ---------------------------------------------------------------------------------


def test_inbox_and_unread_count_in_the_navigation(
        make_client: Callable[..., Client], internship: Internship, rajeev: User,
        meera: User) -> None:
    client = make_client(rajeev)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert 'class="nav-badge">1<span class="visually-hidden"> unread</span>' in page.text
    assert f'href="/internships/{internship.id}"' in page.text
    note_id = re.search(r'name="id" value="(\d+)"', page.text)
    assert note_id is not None
    # Meera cannot mark Rajeev's notification read.
    make_client(meera).submit("/inbox/read", {"id": note_id.group(1)})
    assert "nav-badge" in client.get("/inbox").text
    r = client.submit("/inbox/read", {"id": note_id.group(1)})
    assert r.status_code == 303
    after = client.get("/internships").text
    assert "nav-badge" not in after
    r = make_client(meera).submit("/inbox/read")
    assert r.status_code == 303
    assert "nav-badge" not in make_client(meera).get("/inbox").text


# -- where proposing starts --------------------------------------------------------------------


def test_suggestions_and_profiles_link_to_the_proposal(
        make_client: Callable[..., Client], afreen: User, meera: User, rajeev: User,
        afreen_firm: Business, rajeev_firm: Business) -> None:
    link = f'href="/businesses/{afreen_firm.slug}/internships/new?host={rajeev_firm.slug}"'
    suggestions = make_client(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert suggestions.status_code == 200
    assert link in suggestions.text
    assert link not in make_client(meera).get(f"/businesses/{afreen_firm.slug}/suggestions").text
    pair = make_client(afreen).get(
        f"/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}")
    assert link in pair.text
    assert link not in make_client(meera).get(
        f"/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}").text
    profile = make_client(afreen).get(f"/businesses/{rajeev_firm.slug}")
    assert link in profile.text
    assert link not in make_client(meera).get(f"/businesses/{rajeev_firm.slug}").text
    # Rajeev on his own profile is offered nothing; on Afreen's he may send someone there.
    assert "Propose an internship" not in make_client(rajeev).get(
        f"/businesses/{rajeev_firm.slug}").text
    assert (f'href="/businesses/{rajeev_firm.slug}/internships/new?host={afreen_firm.slug}"'
            in make_client(rajeev).get(f"/businesses/{afreen_firm.slug}").text)


def test_plan_actions_link_to_their_pages(make_client: Callable[..., Client],
                                          completed_internship: Internship,
                                          meera: User) -> None:
    page = make_client(meera).get(f"/internships/{completed_internship.id}").text
    assert _buttons(page) == {"Submit the implementation plan"}
    assert (f'<a class="button" href="/internships/{completed_internship.id}/plan">Submit the '
            f'implementation plan</a>') in page


def test_the_main_dashboard_lists_what_waits_for_you(make_client: Any, internship: Internship,
                                                     rajeev: User, charlie: User) -> None:
    """Rajeev has to accept Afreen's proposal: his dashboard says so and links to it."""
    page = make_client(rajeev).get("/dashboard")
    assert page.status_code == 200
    assert f'href="/internships/{internship.id}"' in page.text
    assert "Accept the agreement" in page.text
    stranger = make_client(charlie).get("/dashboard")
    assert f'href="/internships/{internship.id}"' not in stranger.text
    assert "Nothing waits for you" in stranger.text
