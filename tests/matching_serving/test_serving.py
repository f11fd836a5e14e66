"""The index served from the database: built the same way as from a JSON dataset, refreshed
incrementally after profile, matrix, exclusion and archive changes, rebuilt when something else
is off, and safe to share between threads."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from exchange import migrate
from exchange.accounts.models import User
from exchange.db import make_engine
from exchange.demo.generator import generate_businesses
from exchange.matching import NotSuggested, Suggestion, SuggestionQuery, serving, suggest_partners
from exchange.matching.commands import dataset_index, dataset_records
from exchange.matching.serving import (
    MatchingHolder,
    business_id_of,
    holder_for,
    in_sentence,
    index_key,
)
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.importer import import_businesses
from exchange.profiles.models import Business, ExternalRef
from exchange.taxonomy import service as taxonomy_service
from tests.conftest import Client
from tests.matching_serving import firm, rival_of_afreen

CONTENT_SENTENCE = "They: content marketing 5 · You: 1 · you need it: high"


def _partners(holder: MatchingHolder, session: Session, business: Business, **query: Any
              ) -> list[str]:
    assert business.id is not None
    found = holder.suggest(session, business.id, SuggestionQuery(**query))
    return [holder.slug_of(business_id_of(s.partner_id)) or "?" for s in found]


def _explain(holder: MatchingHolder, session: Session, business: Business, other: Business
             ) -> Suggestion | NotSuggested | None:
    assert business.id is not None and other.id is not None
    return holder.explain(session, business.id, other.id, SuggestionQuery())


# -- the database path and the dataset path agree ------------------------------------------------


def _ranked(found: list[Suggestion], name_of: dict[str, str]) -> list[tuple[Any, ...]]:
    return [
        (name_of.get(s.partner_id, s.partner_id), s.score, s.learn_value, s.teach_value,
         [(c.process, c.value, c.share) for c in s.learn],
         [(c.process, c.value, c.share) for c in s.teach])
        for s in found
    ]


def _both_paths_agree(session: Session, records: list[dict[str, Any]], source: str) -> int:
    """Import `records`, serve them from the database, build the dataset index from the same
    JSON, and compare every business's list. Returns how many suggestions were compared."""
    report = import_businesses(session, records, source=source)
    assert not report.rejected, report.rejected
    external = {index_key(ref.business_id): ref.external_id for ref in session.exec(
        select(ExternalRef).where(ExternalRef.source == source))}
    holder = MatchingHolder()
    holder.refresh(session)
    served = holder.index()
    dataset = dataset_index(dataset_records(records))
    assert sorted(external[key] for key in served.ids()) == sorted(dataset.ids())
    compared = 0
    for depth in ("group", "section"):
        query = SuggestionQuery(limit=15, isic_depth=depth)  # type: ignore[arg-type]
        for key, business in external.items():
            from_db = _ranked(suggest_partners(served, key, query), external)
            from_file = _ranked(suggest_partners(dataset, business, query), {})
            assert from_db == from_file, business
            compared += len(from_db)
    return compared


def test_database_and_dataset_paths_give_the_same_partners_scores_and_order(
    session: Session,
) -> None:
    records = generate_businesses(120, seed=21)
    assert _both_paths_agree(session, records, "same-data") > 500


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    crowded=st.lists(st.tuples(st.integers(0, 29), st.sampled_from(
        ["local", "regional", "national", "international"])), max_size=12),
    exclusions=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=8),
)
def test_both_paths_agree_on_crowded_populations(
    session: Session, seed: int, crowded: list[tuple[int, str]],
    exclusions: list[tuple[int, int]],
) -> None:
    """Many firms pushed into one industry and one city, with exclusions: competition, ties and
    exclusions everywhere, and still the same answer from both paths."""
    records = generate_businesses(30, seed=seed)
    for i, reach in crowded:
        records[i].update(isic="7410", country="IN", region="Maharashtra", city=" PUNE ",
                          market_reach=reach)
    for a, b in exclusions:
        if a != b and records[b]["id"] not in records[a]["excluded"]:
            records[a]["excluded"].append(records[b]["id"])
    nested = session.begin_nested()  # each example starts from the empty database
    try:
        _both_paths_agree(session, records, f"crowded-{seed}")
    finally:
        nested.rollback()


def test_sentences_name_processes_as_they_read_in_a_sentence() -> None:
    assert in_sentence("Content marketing") == "content marketing"
    assert in_sentence("HR policies and compliance") == "HR policies and compliance"
    assert in_sentence("UI design") == "UI design"


# -- the reference story --------------------------------------------------------------------------


def test_afreen_sees_rajeev_first_with_the_content_marketing_explanation(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    holder = MatchingHolder()
    assert afreen_firm.id is not None
    found = holder.suggest(session, afreen_firm.id, SuggestionQuery())
    assert holder.slug_of(business_id_of(found[0].partner_id)) == rajeev_firm.slug
    assert CONTENT_SENTENCE in found[0].sentences()
    assert "You: recruitment 5 · They: 1 · they need it: high" in found[0].sentences()


def test_a_competitor_and_an_excluded_firm_never_appear_however_strong(
    session: Session, afreen_firm: Business, rajeev_firm: Business, charlie: User
) -> None:
    rival = rival_of_afreen(session, charlie)
    star = firm(session, charlie, "Content Star Studio")
    holder = MatchingHolder()
    assert _partners(holder, session, afreen_firm)[:2] == [star.slug, rajeev_firm.slug]

    profiles_service.set_exclusions(session, afreen_firm, [star.slug])
    session.commit()
    partners = _partners(holder, session, afreen_firm)
    assert partners[0] == rajeev_firm.slug
    assert rival.slug not in partners and star.slug not in partners

    why_rival = _explain(holder, session, afreen_firm, rival)
    assert isinstance(why_rival, NotSuggested)
    assert [r.message for r in why_rival.reasons] == [
        "competitor: same ISIC group 783; both serve India"]
    why_star = _explain(holder, session, afreen_firm, star)
    assert isinstance(why_star, NotSuggested) and why_star.codes == ("excluded",)
    # The star only reads "not available", never that Afreen's firm excluded it.
    from_star = _explain(holder, session, star, afreen_firm)
    assert isinstance(from_star, NotSuggested)
    assert [r.message for r in from_star.reasons] == ["not available"]


# -- freshness ----------------------------------------------------------------------------------


def test_nothing_is_reloaded_when_nothing_changed(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    holder = MatchingHolder()
    assert holder.refresh(session).kind == "full"
    again = holder.refresh(session)
    assert (again.kind, again.reloaded, again.businesses) == ("none", 0, 2)


def test_a_matrix_change_reloads_only_that_business(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    holder = MatchingHolder()
    holder.refresh(session)
    matrix_service.patch_cells(session, rajeev_firm, [
        {"process": "marketing.content_marketing", "level": 5, "offer": False, "need": 0}])
    session.commit()
    report = holder.refresh(session)
    assert (report.kind, report.reloaded) == ("incremental", 1)
    answer = _explain(holder, session, afreen_firm, rajeev_firm)
    assert isinstance(answer, Suggestion)
    assert [c.process for c in answer.learn] == ["marketing.lead_generation"]
    assert holder.refresh(session).kind == "none"


def test_a_profile_edit_is_seen_by_the_next_query(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    holder = MatchingHolder()
    assert _partners(holder, session, afreen_firm, same_country=True) == [rajeev_firm.slug]
    profiles_service.update_business(session, rajeev_firm, {"country": "DE", "city": "Berlin",
                                                            "region": "Berlin"})
    session.commit()
    assert _partners(holder, session, afreen_firm, same_country=True) == []
    assert holder.last_refresh is not None and holder.last_refresh.kind == "incremental"


def test_archiving_removes_the_business_and_restoring_brings_it_back(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    holder = MatchingHolder()
    assert _partners(holder, session, afreen_firm) == [rajeev_firm.slug]
    profiles_service.set_archived(session, rajeev_firm, True)
    session.commit()
    assert _partners(holder, session, afreen_firm) == []
    assert holder.last_refresh is not None and holder.last_refresh.kind == "incremental"
    assert _explain(holder, session, afreen_firm, rajeev_firm) is None  # archived: not indexed
    profiles_service.set_archived(session, rajeev_firm, False)
    session.commit()
    assert _partners(holder, session, afreen_firm) == [rajeev_firm.slug]


def test_an_archived_business_gets_no_suggestions(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    from exchange.matching.serving import NotMatchable

    holder = MatchingHolder()
    profiles_service.set_archived(session, afreen_firm, True)
    session.commit()
    assert afreen_firm.id is not None
    with pytest.raises(NotMatchable):
        holder.suggest(session, afreen_firm.id, SuggestionQuery())


def test_a_new_business_is_added_without_a_rebuild(
    session: Session, afreen_firm: Business, rajeev_firm: Business, charlie: User
) -> None:
    holder = MatchingHolder()
    holder.refresh(session)
    star = firm(session, charlie, "Content Star Studio")
    assert _partners(holder, session, afreen_firm)[0] == star.slug
    assert holder.last_refresh is not None
    assert (holder.last_refresh.kind, holder.last_refresh.reloaded) == ("incremental", 1)


def test_a_change_committed_out_of_stamp_order_is_still_seen(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    """A slow transaction stamps updated_at when it writes and commits later: its stamp can be
    older than one the holder already loaded. The freshness window catches it."""
    holder = MatchingHolder()
    holder.refresh(session)
    newest = max(afreen_firm.updated_at, rajeev_firm.updated_at)
    matrix_service.patch_cells(session, rajeev_firm, [
        {"process": "marketing.lead_generation", "level": 0, "offer": False, "need": 0}])
    rajeev_firm.updated_at = newest - timedelta(seconds=30)
    session.add(rajeev_firm)
    session.commit()
    assert holder.refresh(session).kind == "incremental"
    answer = _explain(holder, session, afreen_firm, rajeev_firm)
    assert isinstance(answer, Suggestion)
    assert [c.process for c in answer.learn] == ["marketing.content_marketing"]


def test_a_deleted_business_forces_a_full_rebuild(
    session: Session, afreen_firm: Business, rajeev_firm: Business, charlie: User
) -> None:
    star = firm(session, charlie, "Content Star Studio")
    holder = MatchingHolder()
    holder.refresh(session)
    session.delete(star)
    session.commit()
    report = holder.refresh(session)
    assert report.kind == "full" and "number of businesses" in report.reason
    assert _partners(holder, session, afreen_firm) == [rajeev_firm.slug]


def test_a_taxonomy_change_forces_a_full_rebuild(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    holder = MatchingHolder()
    holder.refresh(session)
    taxonomy_service.retire_process(session, "marketing.lead_generation")
    session.commit()
    report = holder.refresh(session)
    assert report.kind == "full" and "taxonomy" in report.reason
    # Cells of a retired process are legacy answers: no longer matched.
    answer = _explain(holder, session, afreen_firm, rajeev_firm)
    assert isinstance(answer, Suggestion)
    assert [c.process for c in answer.learn] == ["marketing.content_marketing"]


def test_many_changes_at_once_rebuild_in_full(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving, "MAX_INCREMENTAL", 10)
    import_businesses(session, generate_businesses(30, seed=4), source="first")
    holder = MatchingHolder()
    holder.refresh(session)
    import_businesses(session, generate_businesses(30, seed=5), source="second")
    report = holder.refresh(session)
    assert report.kind == "full" and "30 businesses changed" in report.reason
    assert report.businesses == 60


# -- one holder per app, built only when asked ----------------------------------------------------


def test_the_holder_is_created_and_built_only_on_first_use(
    app: FastAPI, client: Client, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    client.login(afreen)
    assert client.get("/dashboard").status_code == 200
    assert getattr(app.state, "matching", None) is None
    assert client.get(f"/businesses/{afreen_firm.slug}/suggestions").status_code == 200
    holder = app.state.matching
    assert holder is holder_for(app)
    assert holder.last_refresh is not None and holder.last_refresh.businesses == 2


# -- threads --------------------------------------------------------------------------------------


def test_concurrent_queries_and_writes_never_break_the_index(tmp_path: Path) -> None:
    """Real threads, real SQLite file: readers query through one holder while a writer changes
    matrices and commits; afterwards the holder agrees with a fresh build."""
    url = f"sqlite:///{tmp_path / 'threads.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        import_businesses(session, generate_businesses(60, seed=8), source="threads")
        session.commit()
        ids = [b.id for b in session.exec(select(Business)).all()]
    holder = MatchingHolder()
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader(offset: int) -> None:
        try:
            with Session(engine) as session:
                for i in range(40):
                    business_id = ids[(offset + i) % len(ids)]
                    assert business_id is not None
                    holder.suggest(session, business_id, SuggestionQuery(limit=5))
                    session.rollback()  # a new snapshot for the next "request"
        except BaseException as exc:
            errors.append(exc)

    def writer() -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                businesses = session.exec(select(Business)).all()
                for i in range(25):
                    business = businesses[i % len(businesses)]
                    matrix_service.patch_cells(session, business, [
                        {"process": "marketing.seo", "level": 5, "offer": i % 2 == 0,
                         "need": 0}])
                    session.commit()
        except BaseException as exc:
            errors.append(exc)
        finally:
            stop.set()

    threads = [threading.Thread(target=reader, args=(k * 7,)) for k in range(4)]
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with Session(engine) as session:
        holder.refresh(session)
        fresh = MatchingHolder()
        fresh.refresh(session)
        for business_id in ids:
            assert business_id is not None
            key = index_key(business_id)
            assert suggest_partners(holder.index(), key) == suggest_partners(fresh.index(), key)
    engine.dispose()
