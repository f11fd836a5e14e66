"""The matrix pages: Afreen and Farah edit the grid, Meera the intern reads it, Rajeev sees the
heatmap and compares, files go out and come back in, and nothing bad is ever half-saved."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.db import utcnow
from exchange.profiles import matrix as matrix_service
from exchange.profiles.models import Business, MatrixCell
from exchange.taxonomy.models import Process
from tests.conftest import Client

HEADER = "process,level,offer,need,target_level,evidence\r\n"


def _cells(session: Session, business: Business) -> dict[str, tuple[Any, ...]]:
    session.expire_all()
    return {c.process: (c.level, c.offer, c.need, c.target_level, c.evidence)
            for c in matrix_service.public_cells(session, business)}


def _selected(html: str, name: str) -> str | None:
    block = re.search(rf'name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert block, f"no select {name}"
    found = re.search(r'<option value="([^"]*)" selected>', block.group(1))
    return found.group(1) if found else None


def _row(html: str, process_name: str) -> str:
    """The table row of one process (compare table)."""
    match = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">{re.escape(process_name)}.*?</tr>", html,
                      re.S)
    assert match, f"no row for {process_name}"
    return match.group(0)


def _make_networks_only(session: Session, business: Business) -> None:
    business.visibility = "networks"
    session.add(business)
    session.commit()


# -- the grid editor -------------------------------------------------------------------------


def _department_order(html: str) -> list[str]:
    return re.findall(r'<fieldset id="dept-([a-z_]+)"', html)


def test_the_departments_afreen_runs_come_first_and_the_others_are_folded(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    html = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/matrix").text
    order = _department_order(html)
    assert order[:2] == ["marketing", "hr"]  # the two she recorded something in
    assert len(order) > 10  # the others are there, folded
    folded = re.findall(r'<details class="mx-fold" id="fold-([a-z_]+)">', html)
    assert "marketing" not in folded and "hr" not in folded
    assert set(folded) == set(order[2:])
    # Each department has its own form and its own save button.
    assert html.count('<input type="hidden" name="department" value="') == len(order)
    assert ">Save Marketing<" in html


def test_the_filter_and_only_what_was_recorded(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    html = client.get(f"/businesses/{afreen_firm.slug}/matrix?q=search+engine").text
    assert 'name="cell.marketing.seo.level"' in html
    assert 'name="cell.marketing.content_marketing.level"' not in html
    assert _department_order(html) == ["marketing"]
    assert 'value="search engine"' in html  # the box keeps the words
    html = client.get(f"/businesses/{afreen_firm.slug}/matrix?recorded=1").text
    assert 'name="cell.marketing.content_marketing.level"' in html
    assert 'name="cell.marketing.seo.level"' not in html  # nothing recorded there
    assert "processes shown." in html


def test_saving_one_department_keeps_the_rest_and_returns_to_it(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix", {
        "department": "marketing", "q": "search engine",
        "cell.marketing.seo.level": "2", "cell.marketing.seo.need": "1",
        "cell.marketing.seo.target_level": "", "cell.marketing.seo.evidence": ""})
    assert r.status_code == 303
    assert r.headers["location"] == (f"/businesses/{afreen_firm.slug}/matrix?q=search+engine"
                                     "#dept-marketing")
    after = _cells(session, afreen_firm)
    assert after["marketing.seo"] == (2, False, 1, None, None)
    assert {k: v for k, v in after.items() if k != "marketing.seo"} == {
        k: v for k, v in before.items() if k != "marketing.seo"}


def test_the_whole_grid_on_one_page_is_still_there(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    html = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/matrix?view=all").text
    assert 'class="mx-fold"' not in html
    assert 'name="department"' not in html
    assert html.count('method="post" action="/businesses/') == 1
    assert ">Save strengths and needs<" in html
    assert _department_order(html)[:2] != ["marketing", "hr"]  # taxonomy order


def test_afreen_sees_her_grid_grouped_by_department(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/matrix")
    assert r.status_code == 200
    assert "<legend>Marketing</legend>" in r.text
    assert "<legend>Human resources</legend>" in r.text
    assert _selected(r.text, "cell.marketing.content_marketing.level") == "1"
    assert _selected(r.text, "cell.marketing.content_marketing.need") == "3"
    assert _selected(r.text, "cell.marketing.content_marketing.target_level") == "4"
    assert _selected(r.text, "cell.marketing.seo.level") == "0"
    assert ">75% of new clients come from paid ads</textarea>" in r.text
    assert 'name="csrf_token"' in r.text


def test_afreen_saves_several_rows_at_once(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix", {
        "cell.marketing.seo.level": "3", "cell.marketing.seo.offer": "yes",
        "cell.marketing.seo.need": "0", "cell.marketing.seo.target_level": "4",
        "cell.marketing.seo.evidence": "  First page for 12 terms ",
        "cell.marketing.content_marketing.level": "2",
        "cell.marketing.content_marketing.need": "3",
        "cell.marketing.content_marketing.target_level": "4",
        "cell.marketing.content_marketing.evidence": "",
    })
    assert r.status_code == 303
    assert r.headers["location"] == f"/businesses/{afreen_firm.slug}/matrix"
    cells = _cells(session, afreen_firm)
    assert cells["marketing.seo"] == (3, True, 0, 4, "First page for 12 terms")
    assert cells["marketing.content_marketing"] == (2, False, 3, 4, None)
    assert cells["marketing.paid_advertising"][0] == 5  # rows not sent stay as they were
    assert "Matrix saved: 2 cells changed; the rest is as it was." in client.get(
        r.headers["location"]).text


def test_unticking_offer_and_zeroing_a_row_clears_it(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix", {
        "cell.hr.recruitment.level": "0", "cell.hr.recruitment.need": "0",
        "cell.hr.recruitment.target_level": "", "cell.hr.recruitment.evidence": "",
    })
    assert r.status_code == 303
    assert "hr.recruitment" not in _cells(session, afreen_firm)


def test_farah_the_manager_can_save(
    client: Client, session: Session, farah: User, afreen_firm: Business
) -> None:
    r = client.login(farah).submit(f"/businesses/{afreen_firm.slug}/matrix",
                                   {"cell.finance.budgeting.level": "2"})
    assert r.status_code == 303
    assert _cells(session, afreen_firm)["finance.budgeting"][0] == 2


def test_saving_the_same_values_says_nothing_changed(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix", {
        "cell.marketing.content_marketing.level": "1",
        "cell.marketing.content_marketing.need": "3",
        "cell.marketing.content_marketing.target_level": "4",
    })
    assert "Nothing changed." in client.get(r.headers["location"]).text


def test_target_not_above_level_is_explained_and_nothing_is_saved(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix", {
        # a valid change in the same form: all or nothing, so it is not saved either
        "cell.marketing.seo.level": "2", "cell.marketing.seo.evidence": "typed by Afreen",
        "cell.marketing.brand.level": "3", "cell.marketing.brand.target_level": "3",
    })
    assert r.status_code == 422
    message = "Target level must be above the current level (3)"
    assert f'id="f-cell.marketing.brand.target_level-error">{message}</p>' in r.text
    assert f'href="#f-cell.marketing.brand.target_level">Brand management: {message}</a>' in r.text
    assert 'aria-invalid="true"' in r.text
    # what Afreen typed comes back
    assert ">typed by Afreen</textarea>" in r.text
    assert _selected(r.text, "cell.marketing.seo.level") == "2"
    assert _selected(r.text, "cell.marketing.brand.level") == "3"
    assert _cells(session, afreen_firm) == before


def test_level_out_of_range_is_refused(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix",
                                    {"cell.marketing.seo.level": "6"})
    assert r.status_code == 422
    assert "Level must be a whole number from 0 to 5, not “6”" in r.text
    assert _cells(session, afreen_firm) == before


def test_evidence_over_500_characters_is_refused(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix", {
        "cell.marketing.seo.level": "3", "cell.marketing.seo.evidence": "x" * 501})
    assert r.status_code == 422
    assert "Evidence must be at most 500 characters (this has 501)" in r.text
    assert ">" + "x" * 501 + "</textarea>" in r.text
    assert _cells(session, afreen_firm) == before


def test_an_unknown_process_is_refused(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix", {
        "cell.marketing.seo.level": "3", "cell.marketing.telepathy.level": "4"})
    assert r.status_code == 422
    assert "Unknown process “marketing.telepathy”" in r.text
    assert _cells(session, afreen_firm) == before


def test_meera_the_intern_reads_the_grid_without_controls(
    client: Client, meera: User, afreen_firm: Business
) -> None:
    r = client.login(meera).get(f"/businesses/{afreen_firm.slug}/matrix")
    assert r.status_code == 200
    assert "Only owners and managers can" in r.text
    assert "<select" not in r.text
    assert 'method="post" action="/businesses/' + afreen_firm.slug + '/matrix"' not in r.text
    assert "75% of new clients come from paid ads" in r.text


def test_meera_cannot_save(
    client: Client, session: Session, meera: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = client.login(meera).submit(f"/businesses/{afreen_firm.slug}/matrix",
                                   {"cell.marketing.seo.level": "3"})
    assert r.status_code == 403
    assert _cells(session, afreen_firm) == before


def test_rajeev_cannot_open_afreens_grid(
    client: Client, rajeev: User, afreen_firm: Business
) -> None:
    assert client.login(rajeev).get(f"/businesses/{afreen_firm.slug}/matrix").status_code == 403


def test_charlie_gets_404_for_a_networks_only_business(
    client: Client, session: Session, charlie: User, afreen_firm: Business
) -> None:
    _make_networks_only(session, afreen_firm)
    client.login(charlie)
    for path in ("matrix", "heatmap", "matrix.csv", "matrix/import"):
        assert client.get(f"/businesses/{afreen_firm.slug}/{path}").status_code == 404, path


def test_anonymous_visitors_are_sent_to_log_in(client: Client, afreen_firm: Business) -> None:
    r = client.get(f"/businesses/{afreen_firm.slug}/matrix")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


def test_a_retired_process_shows_read_only_where_the_business_has_a_cell(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    for key in ("hr.recruitment", "hr.onboarding"):
        process = session.exec(select(Process).where(Process.key == key)).one()
        process.retired_at = utcnow()
        session.add(process)
    session.commit()
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/matrix")
    assert "retired — kept for the record" in r.text
    assert 'name="cell.hr.recruitment.level"' not in r.text  # shown, not editable
    # retired and never recorded: not shown
    assert '<span class="mx-name">Onboarding</span>' not in r.text
    # saving the form leaves the retired cell alone
    client.submit(f"/businesses/{afreen_firm.slug}/matrix", {"cell.marketing.seo.level": "2"})
    assert _cells(session, afreen_firm)["hr.recruitment"][0] == 5


# -- heatmap ---------------------------------------------------------------------------------


def test_rajeev_sees_afreens_heatmap_with_a_text_alternative(
    client: Client, rajeev: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(rajeev).get(f"/businesses/{afreen_firm.slug}/heatmap")
    assert r.status_code == 200
    assert 'class="hm-tile lv-5"' in r.text  # paid advertising
    assert "Level 5 · leading — can teach" in r.text
    assert "Need: high" in r.text and "✓ Hosts" in r.text
    # the legend and the table say the same in words
    assert "Colour = level" in r.text
    assert "<caption class=\"visually-hidden\">Level, need and hosting offer per process" in r.text
    assert re.search(r"<th scope=\"row\">Content marketing</th>\s*<td>1 \(ad hoc\)</td>\s*"
                     r"<td>high</td>\s*<td>4</td>", r.text)
    # Rajeev can compare it with his own firm
    assert f"/businesses/{rajeev_firm.slug}/compare/{afreen_firm.slug}" in r.text
    assert "Edit strengths and needs" not in r.text


def test_heatmap_can_leave_out_processes_not_recorded(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    every = client.get(f"/businesses/{afreen_firm.slug}/heatmap").text
    recorded = client.get(f"/businesses/{afreen_firm.slug}/heatmap?show=recorded").text
    assert every.count('<li class="hm-tile') > 90
    assert recorded.count('<li class="hm-tile') == 4


def test_heatmap_of_an_empty_matrix_says_so(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    matrix_service.replace_matrix(session, afreen_firm, [])
    session.commit()
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/heatmap?show=recorded")
    assert "No strengths or needs recorded yet." in r.text


# -- side by side ----------------------------------------------------------------------------


def test_afreen_sees_rajeev_can_teach_her_content_marketing(
    client: Client, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/compare/{rajeev_firm.slug}")
    assert r.status_code == 200
    row = _row(r.text, "Content marketing")
    assert 'class="cmp-learn"' in row and "They can teach you" in row
    assert "<strong>Content marketing</strong>: they 5, you 1, you need it: high" in r.text
    recruitment = _row(r.text, "Recruitment")
    assert "You can teach them" in recruitment
    paid = _row(r.text, "Paid advertising")  # Afreen hosts it but Rajeev does not need it
    assert "can teach you" not in paid and "can teach them" not in paid


def test_meera_the_intern_may_compare_too(
    client: Client, meera: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(meera).get(f"/businesses/{afreen_firm.slug}/compare/{rajeev_firm.slug}")
    assert r.status_code == 200


def test_rajeev_cannot_compare_from_afreens_business(
    client: Client, rajeev: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(rajeev).get(f"/businesses/{afreen_firm.slug}/compare/{rajeev_firm.slug}")
    assert r.status_code == 403


def test_comparing_with_a_business_you_cannot_see_is_404(
    client: Client, session: Session, rajeev: User, afreen_firm: Business,
    rajeev_firm: Business,
) -> None:
    _make_networks_only(session, afreen_firm)
    r = client.login(rajeev).get(f"/businesses/{rajeev_firm.slug}/compare/{afreen_firm.slug}")
    assert r.status_code == 404


# -- files -----------------------------------------------------------------------------------


def test_meera_downloads_the_matrix_as_csv(
    client: Client, meera: User, afreen_firm: Business
) -> None:
    r = client.login(meera).get(f"/businesses/{afreen_firm.slug}/matrix.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == (
        f'attachment; filename="{afreen_firm.slug}-matrix.csv"')
    assert r.content.startswith(b"\xef\xbb\xbfprocess,level,offer,need,target_level,evidence\r\n")
    assert "marketing.paid_advertising,5,yes,0,,75% of new clients come from paid ads" in r.text


def test_profile_json_download(client: Client, afreen: User, afreen_firm: Business) -> None:
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/profile.json")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    data = r.json()
    assert data["id"] == afreen_firm.slug and data["isic"] == "7830"
    assert len(data["cells"]) == 4


def _upload(client: Client, slug: str, content: str | bytes, filename: str = "matrix.csv",
            **form: str) -> Any:
    body = content.encode() if isinstance(content, str) else content
    return client.post(f"/businesses/{slug}/matrix/import",
                       data={"csrf_token": client.csrf_token, **form},
                       files={"file": (filename, body, "text/csv")})


def test_import_page_documents_the_columns(
    client: Client, farah: User, afreen_firm: Business
) -> None:
    r = client.login(farah).get(f"/businesses/{afreen_firm.slug}/matrix/import")
    assert r.status_code == 200
    assert "process,level,offer,need,target_level,evidence" in r.text
    assert 'enctype="multipart/form-data"' in r.text


def test_afreen_exports_edits_and_imports_the_csv(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    exported = client.get(f"/businesses/{afreen_firm.slug}/matrix.csv").content
    edited = exported.replace(b"marketing.content_marketing,1,no,3,4,",
                              b"marketing.content_marketing,2,no,3,4,")
    r = _upload(client, afreen_firm.slug, edited)
    assert r.status_code == 303, r.text
    assert "Imported matrix.csv: 1 cell changed." in client.get(r.headers["location"]).text
    assert _cells(session, afreen_firm)["marketing.content_marketing"][0] == 2


def test_importing_an_unchanged_export_changes_nothing(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    before = _cells(session, afreen_firm)
    for name in ("matrix.csv", "matrix.json", "profile.json"):
        exported = client.get(f"/businesses/{afreen_firm.slug}/{name}").content
        r = _upload(client, afreen_firm.slug, exported, filename=name)
        assert r.status_code == 303, (name, r.text[:3000])
        assert "0 cells changed" in client.get(r.headers["location"]).text
    assert _cells(session, afreen_firm) == before


def test_a_bad_csv_lists_every_bad_line_and_changes_nothing(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = _upload(client.login(afreen), afreen_firm.slug, HEADER
                + "marketing.seo,3,yes,0,,\r\n"                # line 2: fine
                + "marketing.brand,seven,no,0,,\r\n"           # line 3
                + "marketing.telepathy,2,no,0,,\r\n"           # line 4
                + "hr.training,2,no,1,1,\r\n")                 # line 5
    assert r.status_code == 422
    assert "Nothing was imported: 3 problems in the file" in r.text
    assert ("<strong>Line 3</strong>: Level must be a whole number from 0 to 5, not “seven”"
            in r.text)
    assert "<strong>Line 4</strong>: Unknown process “marketing.telepathy”" in r.text
    assert "<strong>Line 5</strong>: Target level must be above the current level (2)" in r.text
    assert "Line 2" not in r.text
    assert _cells(session, afreen_firm) == before


def test_checking_a_file_saves_nothing(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = _upload(client.login(afreen), afreen_firm.slug, HEADER + "marketing.seo,3,yes,0,,\r\n",
                action="check")
    assert r.status_code == 200
    assert "importing it would change 5 cells. Nothing was saved." in r.text
    assert _cells(session, afreen_firm) == before


def test_merge_keeps_the_processes_not_in_the_file(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    r = _upload(client.login(afreen), afreen_firm.slug, HEADER + "marketing.seo,3,yes,0,,\r\n",
                mode="merge")
    assert r.status_code == 303
    cells = _cells(session, afreen_firm)
    assert len(cells) == 5 and cells["marketing.seo"][0] == 3


def test_import_without_a_file_asks_for_one(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    r = client.login(afreen).submit(f"/businesses/{afreen_firm.slug}/matrix/import", {})
    assert r.status_code == 422
    assert 'id="f-file-error">Choose a CSV or JSON file to import' in r.text


def test_meera_cannot_import(
    client: Client, session: Session, meera: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = _upload(client.login(meera), afreen_firm.slug, HEADER + "marketing.seo,3,yes,0,,\r\n")
    assert r.status_code == 403
    assert _cells(session, afreen_firm) == before


def test_cells_table_is_untouched_by_a_refused_import(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    count = len(session.exec(select(MatrixCell)).all())
    _upload(client.login(afreen), afreen_firm.slug, "nonsense,columns\r\n1,2\r\n")
    session.expire_all()
    assert len(session.exec(select(MatrixCell)).all()) == count
