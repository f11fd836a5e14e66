"""Searching the ISIC tree, and curating the process taxonomy (the rules admins are held to)."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from exchange.errors import NotFound, ValidationFailed
from exchange.profiles import matrix
from exchange.profiles.models import Business
from exchange.taxonomy import service
from exchange.taxonomy.models import Department, Process


def _codes(nodes: list[service.IndustryNode]) -> list[str]:
    return [n.code for n in nodes]


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _field_errors(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return exc.value.by_field()


# -- industry search ---------------------------------------------------------------------------


def test_design_finds_specialized_design_activities_first(session: Session) -> None:
    results = service.search_industries(session, "design")
    assert results[0].code == "7410"
    assert results[0].title == "Specialized design activities"
    assert results[0].label == "7410 — Specialized design activities"


def test_search_is_case_and_accent_insensitive(session: Session) -> None:
    for query in ("DESIGN", "  Design ", "dësign"):
        assert _codes(service.search_industries(session, query))[:1] == ["7410"], query


def test_an_exact_class_code_finds_that_class(session: Session) -> None:
    assert _codes(service.search_industries(session, "7410")) == ["7410"]


def test_a_division_code_finds_its_classes_in_code_order(session: Session) -> None:
    assert _codes(service.search_industries(session, "74")) == ["7410", "7420", "7490"]


def test_a_one_digit_prefix_finds_every_class_starting_with_it(session: Session) -> None:
    codes = _codes(service.search_industries(session, "7", limit=100))
    assert codes and all(code.startswith("7") for code in codes)
    assert codes == sorted(codes)


def test_a_section_letter_finds_the_classes_of_that_section(session: Session) -> None:
    codes = _codes(service.search_industries(session, "m", limit=100))
    assert "7410" in codes and "6910" in codes
    assert all(service.section_of(code) == "M" for code in codes)


def test_a_pasted_picker_label_finds_its_code(session: Session) -> None:
    found = service.search_industries(session, "7410 — Specialized design activities")
    assert _codes(found) == ["7410"]


def test_a_word_start_finds_warehousing(session: Session) -> None:
    assert _codes(service.search_industries(session, "warehous")) == ["5210"]


def test_everyday_words_the_un_titles_lack_still_find_their_classes(session: Session) -> None:
    assert _codes(service.search_industries(session, "logistics"))[0] == "5210"
    assert "7830" in _codes(service.search_industries(session, "staffing"))
    assert _codes(service.search_industries(session, "e-commerce")) == ["4791"]


def test_title_matches_rank_above_alias_matches(session: Session) -> None:
    codes = _codes(service.search_industries(session, "software"))
    # "Software publishing" has the word; programming (6201) is only an alias of it.
    assert codes.index("5820") < codes.index("6201")


def test_word_stems_match_consultancy_for_consulting(session: Session) -> None:
    assert "7020" in _codes(service.search_industries(session, "consultancy"))
    assert "7020" in _codes(service.search_industries(session, "consulting"))
    assert _codes(service.search_industries(session, "designer")) == ["7410"]


def test_every_word_of_a_query_must_match_when_some_class_has_them_all(
    session: Session,
) -> None:
    assert _codes(service.search_industries(session, "freight air")) == ["5120"]


def test_classes_with_some_of_the_words_are_offered_when_none_has_all(
    session: Session,
) -> None:
    codes = _codes(service.search_industries(session, "web designer"))
    assert set(codes) == {"6312", "7410"}


def test_search_at_group_level_returns_groups(session: Session) -> None:
    found = service.search_industries(session, "design", level="group")
    assert _codes(found) == ["741"]
    assert _codes(service.search_industries(session, "7410", level="group")) == ["741"]
    assert _codes(service.search_industries(session, "logistics", level="division"))[0] == "52"


def test_ranking_is_deterministic(session: Session) -> None:
    first = _codes(service.search_industries(session, "transport", limit=100))
    service.clear_industry_cache()
    assert _codes(service.search_industries(session, "transport", limit=100)) == first
    assert len(first) == len(set(first)) > 10


def test_limit_caps_the_results(session: Session) -> None:
    assert len(service.search_industries(session, "manufacture", limit=5)) == 5


def test_an_empty_query_matches_nothing(session: Session) -> None:
    for query in ("", "   ", None, "—"):
        assert service.search_industries(session, query) == []


def test_a_query_of_nonsense_matches_nothing(session: Session) -> None:
    assert service.search_industries(session, "xyzzyq") == []


def test_a_too_long_query_is_an_error_on_q(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        service.search_industries(session, "design " * 20)
    assert "at most 100 characters" in _field_errors(exc)["q"]


def test_an_unknown_level_is_an_error_on_level(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        service.search_industries(session, "design", level="subclass")
    assert "level" in _field_errors(exc)


def test_find_industries_without_query_lists_a_level_in_order(session: Session) -> None:
    page = service.find_industries(session, "", level="section", limit=100)
    assert page.total == 21
    assert _codes(page.items) == [chr(c) for c in range(ord("A"), ord("U") + 1)]


def test_find_industries_pages_through_matches(session: Session) -> None:
    first = service.find_industries(session, "7", limit=10)
    second = service.find_industries(session, "7", limit=10, offset=10)
    assert first.total == second.total > 10
    assert not set(_codes(first.items)) & set(_codes(second.items))


# -- paths and sections ------------------------------------------------------------------------


def test_path_of_7410_is_m_74_741_7410(session: Session) -> None:
    path = service.industry_path(session, "7410")
    assert _codes(path) == ["M", "74", "741", "7410"]
    assert [n.level for n in path] == ["section", "division", "group", "class"]


def test_path_of_a_section_is_itself(session: Session) -> None:
    assert _codes(service.industry_path(session, "m")) == ["M"]


def test_path_of_an_unknown_code_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        service.industry_path(session, "7499")


@pytest.mark.parametrize(("code", "section"), [
    ("7410", "M"), ("74", "M"), ("741", "M"), ("M", "M"), ("m", "M"), ("0111", "A"),
    ("9900", "U"), ("3510", "D"), ("7830", "N"),
    ("", None), ("X", None), ("04", None), ("12345", None), ("7a", None),
])  # fmt: skip
def test_section_of(code: str, section: str | None) -> None:
    assert service.section_of(code) == section


def test_section_of_agrees_with_the_tree_for_every_code(session: Session) -> None:
    tree = service.industry_tree(session)
    assert len(tree) == 766
    for code in tree.nodes:
        assert service.section_of(code) == tree.path(code)[0].code, code


def test_children_of_none_are_the_21_sections(session: Session) -> None:
    assert len(service.industry_children(session, None)) == 21
    assert _codes(service.industry_children(session, "741")) == ["7410"]


# -- the picker --------------------------------------------------------------------------------


def test_picker_lists_matches_as_options(session: Session) -> None:
    picker = service.picker_context(session, "design", None)
    assert picker.searched and picker.total == 1 and picker.selected is None
    assert [o.node.code for o in picker.options] == ["7410"]
    assert picker.options[0].hint.startswith("M Professional, scientific")
    assert not picker.options[0].checked


def test_picker_keeps_the_current_choice_when_the_search_does_not_find_it(
    session: Session,
) -> None:
    picker = service.picker_context(session, "software", "5210")
    assert picker.options[0].node.code == "5210"
    assert picker.options[0].checked and picker.options[0].kept
    assert all(not o.checked for o in picker.options[1:])


def test_picker_checks_the_current_choice_among_the_results(session: Session) -> None:
    picker = service.picker_context(session, "74", "7420")
    assert [(o.node.code, o.checked, o.kept) for o in picker.options] == [
        ("7410", False, False), ("7420", True, False), ("7490", False, False)]


def test_picker_without_search_shows_only_the_current_choice(session: Session) -> None:
    picker = service.picker_context(session, "", "7410")
    assert not picker.searched
    assert [(o.node.code, o.checked, o.kept) for o in picker.options] == [("7410", True, False)]


def test_picker_never_raises_on_bad_input(session: Session) -> None:
    too_long = service.picker_context(session, "x" * 500, "not-a-code")
    assert too_long.query_error and too_long.selected is None and not too_long.options
    nothing = service.picker_context(session, "xyzzyq", "74")  # a division cannot be chosen
    assert nothing.query_error and "No industry matches" in nothing.query_error
    assert nothing.selected is None


def test_picker_says_how_many_more_matches_are_hidden(session: Session) -> None:
    picker = service.picker_context(session, "manufacture", None)
    assert len(picker.options) == service.PICKER_LIMIT
    assert picker.more == picker.total - service.PICKER_LIMIT > 0


def test_is_picker_search_reads_the_action_button() -> None:
    assert service.is_picker_search({"action": "search_isic"})
    assert not service.is_picker_search({"action": "save"})
    assert not service.is_picker_search({})


# -- processes: adding ---------------------------------------------------------------------------

GOOD = {"department": "marketing", "key": "webinars", "name": "Webinars",
        "description": "Running live online sessions that turn attendees into leads.",
        "complexity": 2}


def test_create_process_appends_it_to_its_department(session: Session) -> None:
    process = service.create_process(session, **GOOD)
    assert process.key == "marketing.webinars"
    assert process.version == 1 and process.retired_at is None
    marketing = service.get_department(session, "marketing")
    others = next(g for g in service.departments_with_processes(session)
                  if g.department.id == marketing.id).processes
    assert others[-1].key == "marketing.webinars"


def test_create_process_accepts_the_full_key(session: Session) -> None:
    process = service.create_process(session, **{**GOOD, "key": "marketing.webinars"})
    assert process.key == "marketing.webinars"


def test_create_process_tidies_whitespace(session: Session) -> None:
    process = service.create_process(session, **{
        **GOOD, "name": "  Webinars ", "description": " Running   live sessions.  "})
    assert process.name == "Webinars"
    assert process.description == "Running live sessions."


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"key": "seo"}, "key", "already exists"),
    ({"key": "Web Inars"}, "key", "snake_case"),
    ({"key": "web__inars"}, "key", "snake_case"),
    ({"key": "1webinars"}, "key", "snake_case"),
    ({"key": ""}, "key", "must not be empty"),
    ({"key": "w" * 51}, "key", "at most 50"),
    ({"department": "astrology"}, "department", "no department"),
    ({"department": ""}, "department", "choose a department"),
    ({"name": "x"}, "name", "at least 2"),
    ({"name": "N" * 101}, "name", "at most 100"),
    ({"name": "paid ADVERTISING"}, "name", "already has a process called"),
    ({"description": ""}, "description", "must not be empty"),
    ({"description": "x" * 300 + "."}, "description", "at most 300"),
    ({"description": "No full stop at the end"}, "description", "ending with a full stop"),
    ({"description": "Two sentences. Not one."}, "description", "single sentence"),
    ({"complexity": 0}, "complexity", "1, 2 or 3"),
    ({"complexity": 4}, "complexity", "1, 2 or 3"),
    ({"complexity": "2"}, "complexity", "1, 2 or 3"),
    ({"complexity": True}, "complexity", "1, 2 or 3"),
])  # fmt: skip
def test_create_process_rejects_bad_input_and_stores_nothing(
    session: Session, change: dict[str, object], field: str, words: str
) -> None:
    before = _count(session, Process)
    with pytest.raises(ValidationFailed) as exc:
        service.create_process(session, **{**GOOD, **change})  # type: ignore[arg-type]
    assert words in _field_errors(exc)[field]
    assert _count(session, Process) == before


def test_create_process_reports_every_problem_at_once(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        service.create_process(session, department="marketing", key="Bad Key", name="",
                               description="", complexity=9)
    assert set(_field_errors(exc)) == {"key", "name", "description", "complexity"}


def test_abbreviations_do_not_count_as_sentence_ends(session: Session) -> None:
    process = service.create_process(session, **{
        **GOOD, "description": "Running live sessions, e.g. webinars, i.e. online talks."})
    assert process.description.startswith("Running")


def test_a_retired_key_is_never_reused(session: Session) -> None:
    service.retire_process(session, "marketing.seo")
    with pytest.raises(ValidationFailed) as exc:
        service.create_process(session, **{**GOOD, "key": "seo"})
    assert "never reused" in _field_errors(exc)["key"]


def test_every_seeded_description_obeys_the_rules_for_new_ones(session: Session) -> None:
    for group in service.departments_with_processes(session, include_retired=True):
        assert service._description_problem(group.department.description) is None
        for process in group.processes:
            assert service._description_problem(process.description) is None, process.key
            assert service.KEY_PATTERN.match(process.key.split(".", 1)[1]), process.key


# -- processes: editing, retiring ----------------------------------------------------------------


def test_editing_a_process_bumps_its_version_and_keeps_its_key(session: Session) -> None:
    before = service.get_process(session, "marketing.seo")
    updated_at = before.updated_at
    process = service.update_process(session, "marketing.seo", name="SEO", complexity=2)
    assert (process.key, process.name, process.complexity) == ("marketing.seo", "SEO", 2)
    assert process.version == 2
    assert process.updated_at > updated_at


def test_saving_the_same_wording_is_not_a_new_version(session: Session) -> None:
    process = service.get_process(session, "marketing.seo")
    same = service.update_process(session, "marketing.seo", name=process.name,
                                  description=process.description,
                                  complexity=process.complexity)
    assert same.version == 1


def test_editing_with_bad_input_changes_nothing(session: Session) -> None:
    original = service.get_process(session, "marketing.seo").model_dump()
    with pytest.raises(ValidationFailed) as exc:
        service.update_process(session, "marketing.seo", name="Ok name", complexity=4,
                               description="Too. Many. Sentences.")
    assert set(_field_errors(exc)) == {"complexity", "description"}
    session.expire_all()
    assert service.get_process(session, "marketing.seo").model_dump() == original


def test_a_process_cannot_take_a_siblings_name(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        service.update_process(session, "marketing.seo", name="Paid advertising")
    assert "already has a process called" in _field_errors(exc)["name"]


def test_editing_an_unknown_process_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        service.update_process(session, "marketing.astrology", name="Stars")


def test_retire_and_restore_keep_the_process(session: Session) -> None:
    retired = service.retire_process(session, "marketing.seo")
    assert retired.retired_at is not None
    assert service.retire_process(session, "marketing.seo").retired_at == retired.retired_at
    assert "marketing.seo" not in {
        p.key for g in service.departments_with_processes(session) for p in g.processes}
    assert service.get_process(session, "marketing.seo").key == "marketing.seo"
    restored = service.restore_process(session, "marketing.seo")
    assert restored.retired_at is None and restored.version == 1


def test_retired_processes_are_not_offered_for_new_cells(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    service.retire_process(session, "marketing.seo")

    offered = {row.process.key for d in matrix.grid(session, afreen_firm) for row in d.rows}
    assert "marketing.seo" not in offered
    matrix.patch_cells(session, afreen_firm, [{"process": "marketing.seo", "level": 3}])
    assert "marketing.seo" not in {c.process for c in matrix.public_cells(session, afreen_firm)}


def test_retired_processes_stay_readable_in_old_matrices(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    # Afreen rated paid advertising 5; retiring it must not lose her answer.
    service.retire_process(session, "marketing.paid_advertising")

    rows = {row.process.key: row for d in matrix.grid(session, afreen_firm) for row in d.rows}
    assert rows["marketing.paid_advertising"].cell is not None
    assert rows["marketing.paid_advertising"].cell.level == 5
    cells = {c.process: c for c in matrix.public_cells(session, afreen_firm)}
    assert cells["marketing.paid_advertising"].retired
    # Rajeev never rated it, so it is no longer in his grid.
    assert "marketing.paid_advertising" not in {
        row.process.key for d in matrix.grid(session, rajeev_firm) for row in d.rows}


def test_listing_processes_filters_and_pages(session: Session) -> None:
    page, total = service.list_processes(session, department="marketing", limit=3)
    assert total >= 8 and len(page) == 3
    assert all(p.key.startswith("marketing.") for p in page)
    everything, all_total = service.list_processes(session, limit=500)
    assert len(everything) == all_total >= 90


# -- departments -----------------------------------------------------------------------------


def test_create_department_goes_last(session: Session) -> None:
    department = service.create_department(
        session, key="legal", name="Legal", description="Contracts, compliance and IP.")
    assert service.departments_with_processes(session)[-1].department.key == "legal"
    assert department.position > service.get_department(session, "strategy").position


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"key": "marketing"}, "key", "already exists"),
    ({"key": "Legal Dept"}, "key", "snake_case"),
    ({"name": "Marketing"}, "name", "already exists"),
    ({"name": ""}, "name", "at least 2"),
    ({"description": ""}, "description", "must not be empty"),
    ({"description": "Two. Sentences."}, "description", "single sentence"),
])  # fmt: skip
def test_create_department_rejects_bad_input_and_stores_nothing(
    session: Session, change: dict[str, str], field: str, words: str
) -> None:
    before = _count(session, Department)
    good = {"key": "legal", "name": "Legal", "description": "Contracts, compliance and IP."}
    with pytest.raises(ValidationFailed) as exc:
        service.create_department(session, **{**good, **change})
    assert words in _field_errors(exc)[field]
    assert _count(session, Department) == before


def test_update_department_keeps_its_key(session: Session) -> None:
    department = service.update_department(session, "marketing", name="Marketing and brand")
    assert (department.key, department.name) == ("marketing", "Marketing and brand")
    with pytest.raises(ValidationFailed) as exc:
        service.update_department(session, "marketing", name="Sales")
    assert "already exists" in _field_errors(exc)["name"]
