"""Pages do not offer what the service refuses: a competitor of Afreen's firm (same ISIC group,
both serve Pune) gets no "Propose an internship" link on its profile and no send button on the
propose form; both say why, in the very sentence the API answers with (409). Rajeev's firm, which
does not compete, keeps both."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.internships import service
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.internships.conftest import proposal_data
from tests.support.factories import make_business

SEND = "Send the proposal to"
PROPOSE = "Propose an internship"


@pytest.fixture
def competitor(session: Session, charlie: User) -> Business:
    """Charlie's gig-staffing agency in Pune: Afreen's line of business, Afreen's city."""
    return make_business(session, charlie, name="Pune Gig Crew",
                         description="Temporary staff for events and shops in Pune.",
                         isic_class="7830", country="IN", region="Maharashtra", city="Pune",
                         market_reach="local", size_band="1-9", languages=["en", "mr"],
                         hosting_capacity=1, visibility="public")


def _api_refusal(make_client: Callable[..., Client], session: Session, settings: Settings,
                 user: User, home: Business, host: Business, intern: User) -> str:
    issued = accounts_service.create_api_token(session, settings, user,
                                               ApiTokenCreate(name="tests"))
    session.commit()
    r = make_client().use_token(issued.token).post(
        f"/api/v1/businesses/{home.slug}/internships",
        json=proposal_data(host=host.slug, intern_id=intern.id))
    assert r.status_code == 409, r.text
    return str(r.json()["detail"])


def test_the_offer_is_the_services_refusal_word_for_word(
        make_client: Callable[..., Client], session: Session, settings: Settings, afreen: User,
        meera: User, afreen_firm: Business, rajeev_firm: Business, competitor: Business) -> None:
    refused, allowed = service.proposal_offers(
        session, [(afreen_firm, competitor), (afreen_firm, rajeev_firm)])
    assert not refused.possible
    assert refused.reason == (
        "No internship is possible: Afreen Talent Studio and Pune Gig Crew compete "
        "(same ISIC group 783; both serve Pune).")
    assert refused.reason == _api_refusal(make_client, session, settings, afreen, afreen_firm,
                                          competitor, meera)
    assert allowed.possible and allowed.reason is None


def test_a_competitors_profile_explains_instead_of_offering(
        make_client: Callable[..., Client], session: Session, afreen: User, farah: User,
        afreen_firm: Business, rajeev_firm: Business, competitor: Business) -> None:
    reason = service.proposal_offer(session, afreen_firm, competitor).reason
    assert reason is not None
    for person in (afreen, farah):  # the owner and the manager: both may propose elsewhere
        page = make_client(person).get(f"/businesses/{competitor.slug}")
        assert page.status_code == 200
        assert PROPOSE not in page.text
        assert "/internships/new?host=" not in page.text
        assert reason in page.text
    page = make_client(afreen).get(f"/businesses/{rajeev_firm.slug}")
    assert (f'href="/businesses/{afreen_firm.slug}/internships/new?host={rajeev_firm.slug}"'
            in page.text)
    assert "No internship is possible" not in page.text


def test_a_competitors_propose_form_has_no_send_button(
        make_client: Callable[..., Client], session: Session, afreen: User,
        afreen_firm: Business, rajeev_firm: Business, competitor: Business) -> None:
    client = make_client(afreen)
    reason = service.proposal_offer(session, afreen_firm, competitor).reason
    assert reason is not None
    form = client.get(f"/businesses/{afreen_firm.slug}/internships/new?host={competitor.slug}")
    assert form.status_code == 200
    assert SEND not in form.text and 'type="submit"' not in form.text.split("<main", 1)[1]
    assert reason in form.text
    form = client.get(f"/businesses/{afreen_firm.slug}/internships/new?host={rajeev_firm.slug}")
    assert f"{SEND} {rajeev_firm.name}" in form.text
    assert "No internship is possible" not in form.text


def test_a_posted_proposal_to_a_competitor_is_still_refused_with_the_explanation(
        make_client: Callable[..., Client], session: Session, afreen: User, meera: User,
        afreen_firm: Business, competitor: Business) -> None:
    reason = service.proposal_offer(session, afreen_firm, competitor).reason
    assert reason is not None
    r = make_client(afreen).submit(
        f"/businesses/{afreen_firm.slug}/internships/new",
        {"host": competitor.slug, "intern_id": str(meera.id), "title": "Event staffing",
         "focus_processes": ["marketing.content_marketing"],
         "objectives[0].statement": "Plan a monthly content calendar",
         "objectives[0].success_criterion": "A 3-month calendar approved by Afreen",
         "start_date": proposal_data()["start_date"], "end_date": proposal_data()["end_date"],
         "schedule_notes": "Mon–Fri", "confidentiality_terms": "Client names stay private."})
    assert r.status_code == 409
    assert reason in r.text and SEND not in r.text


def test_the_competitor_itself_sees_no_offer_on_afreens_profile(
        make_client: Callable[..., Client], session: Session, charlie: User,
        afreen_firm: Business, competitor: Business) -> None:
    page = make_client(charlie).get(f"/businesses/{afreen_firm.slug}")
    assert page.status_code == 200
    assert PROPOSE not in page.text
    assert str(service.proposal_offer(session, competitor, afreen_firm).reason) in page.text


def test_suggestions_at_a_narrower_isic_depth_explain_instead_of_offering(
        make_client: Callable[..., Client], session: Session, charlie: User,
        rajeev: User) -> None:
    """At ISIC class depth the matcher lists a programmer next to an IT consultancy (same group
    620); the internship rule still refuses them, so the card and the pair page say why."""
    from tests.matching_serving import firm
    from tests.support.factories import AFREEN_CELLS

    home = firm(session, charlie, "Charlie Code Works", AFREEN_CELLS, isic_class="6201")
    other = firm(session, rajeev, "Pune IT Advisers", isic_class="6202")
    reason = service.proposal_offer(session, home, other).reason
    assert reason is not None and "same ISIC group 620" in reason
    client = make_client(charlie)
    listed = client.get(f"/businesses/{home.slug}/suggestions?isic_depth=class")
    assert listed.status_code == 200
    card = listed.text.split(f'id="partner-{other.slug}"', 1)[1].split('class="ms-actions"', 1)[1]
    card = card.split("</p>", 1)[0]  # the card's links
    assert reason in card
    assert "/internships/new?host=" not in card
    pair = client.get(f"/businesses/{home.slug}/suggestions/{other.slug}?isic_depth=class")
    assert pair.status_code == 200 and reason in pair.text
    assert "/internships/new?host=" not in pair.text
    # At the default depth they are not suggested at all; a partner who may be proposed to
    # keeps its link (a design studio: another industry).
    studio = firm(session, rajeev, "Pune Design Star")
    listed = client.get(f"/businesses/{home.slug}/suggestions")
    assert other.name not in listed.text
    link = f"/businesses/{home.slug}/internships/new?host={studio.slug}"
    assert link in listed.text
    assert link in client.get(f"/businesses/{home.slug}/suggestions/{studio.slug}").text
