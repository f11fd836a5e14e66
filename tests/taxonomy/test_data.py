"""The reference data we ship: the ISIC Rev. 4 tree and our default process taxonomy."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

import pytest

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

# The official ISIC Rev. 4 sections and the first and last division of each.
OFFICIAL_SECTION_DIVISIONS = {
    "A": ("01", "03"), "B": ("05", "09"), "C": ("10", "33"), "D": ("35", "35"),
    "E": ("36", "39"), "F": ("41", "43"), "G": ("45", "47"), "H": ("49", "53"),
    "I": ("55", "56"), "J": ("58", "63"), "K": ("64", "66"), "L": ("68", "68"),
    "M": ("69", "75"), "N": ("77", "82"), "O": ("84", "84"), "P": ("85", "85"),
    "Q": ("86", "88"), "R": ("90", "93"), "S": ("94", "96"), "T": ("97", "98"),
    "U": ("99", "99"),
}  # fmt: skip

DEPARTMENTS = (
    "sales", "marketing", "hr", "operations", "production", "supply_chain", "finance", "it",
    "customer_service", "design", "administration", "strategy",
)  # fmt: skip


def _data_file(name: str) -> Any:
    text = resources.files("exchange").joinpath("taxonomy", "data", name).read_text("utf-8")
    return json.loads(text)


@cache
def isic() -> dict[str, dict[str, Any]]:
    rows: list[dict[str, Any]] = _data_file("isic4.json")
    return {row["code"]: row for row in rows}


@cache
def taxonomy() -> dict[str, Any]:
    data: dict[str, Any] = _data_file("processes.json")
    return data


def all_processes() -> list[tuple[str, dict[str, Any]]]:
    return [
        (department["key"], process)
        for department in taxonomy()["departments"]
        for process in department["processes"]
    ]


# --- ISIC Rev. 4 ---------------------------------------------------------------------------


def test_isic_has_the_official_number_of_codes_at_each_level() -> None:
    levels = Counter(row["level"] for row in isic().values())
    assert levels == {"section": 21, "division": 88, "group": 238, "class": 419}


def test_isic_codes_are_unique() -> None:
    rows = _data_file("isic4.json")
    assert len(rows) == len(isic()) == 766


def test_isic_codes_have_the_shape_of_their_level() -> None:
    shapes = {
        "section": r"[A-U]",
        "division": r"\d{2}",
        "group": r"\d{3}",
        "class": r"\d{4}",
    }
    for code, row in isic().items():
        assert re.fullmatch(shapes[row["level"]], code), code
        assert set(row) == {"code", "level", "title", "parent"}, code


def test_every_isic_code_hangs_under_a_parent_one_level_up() -> None:
    parent_level = {"division": "section", "group": "division", "class": "group"}
    for code, row in isic().items():
        if row["level"] == "section":
            assert row["parent"] is None
            continue
        parent = isic()[row["parent"]]
        assert parent["level"] == parent_level[row["level"]], code
        if row["level"] != "division":
            assert code.startswith(parent["code"]), code


def test_every_isic_code_above_class_has_children() -> None:
    parents = {row["parent"] for row in isic().values()}
    for code, row in isic().items():
        if row["level"] != "class":
            assert code in parents, code


def test_isic_sections_hold_the_official_divisions() -> None:
    for section, (first, last) in OFFICIAL_SECTION_DIVISIONS.items():
        divisions = sorted(code for code, row in isic().items() if row["parent"] == section)
        assert (divisions[0], divisions[-1]) == (first, last), section
    assert sorted(OFFICIAL_SECTION_DIVISIONS) == sorted(
        code for code, row in isic().items() if row["level"] == "section"
    )


def test_isic_titles_are_clean_text() -> None:
    for code, row in isic().items():
        title = row["title"]
        assert title and title == " ".join(title.split()), code


def test_class_7410_is_specialized_design_under_741_74_and_m() -> None:
    assert isic()["7410"]["title"] == "Specialized design activities"
    chain = []
    code: str | None = "7410"
    while code is not None:
        chain.append(code)
        code = isic()[code]["parent"]
    assert chain == ["7410", "741", "74", "M"]
    assert isic()["M"]["title"] == "Professional, scientific and technical activities"


def test_class_7830_is_other_human_resources_provision_under_783() -> None:
    assert isic()["7830"]["title"] == "Other human resources provision"
    assert isic()["7830"]["parent"] == "783"
    assert isic()["783"]["parent"] == "78"
    assert isic()["78"]["parent"] == "N"


# --- Process taxonomy ------------------------------------------------------------------------


def test_taxonomy_has_our_twelve_departments() -> None:
    keys = [department["key"] for department in taxonomy()["departments"]]
    assert len(keys) >= 10
    assert sorted(keys) == sorted(DEPARTMENTS)


def test_taxonomy_has_about_a_hundred_processes() -> None:
    assert len(all_processes()) >= 95
    for department in taxonomy()["departments"]:
        assert 6 <= len(department["processes"]) <= 12, department["key"]


def test_department_and_process_keys_are_unique_snake_case() -> None:
    department_keys = [department["key"] for department in taxonomy()["departments"]]
    assert len(department_keys) == len(set(department_keys))
    full_keys = [f"{department}.{process['key']}" for department, process in all_processes()]
    assert len(full_keys) == len(set(full_keys))
    for key in department_keys + [process["key"] for _, process in all_processes()]:
        assert SNAKE_CASE.match(key), key


def test_every_name_and_description_is_short_and_present() -> None:
    for department in taxonomy()["departments"]:
        assert department["name"].strip()
        assert 0 < len(department["description"]) < 200, department["key"]
    for department, process in all_processes():
        assert process["name"].strip(), process["key"]
        description = process["description"]
        assert 0 < len(description) < 200, f"{department}.{process['key']}"
        assert description == description.strip()
        assert description.endswith("."), f"{department}.{process['key']}"


def test_process_names_are_unique_within_a_department() -> None:
    for department in taxonomy()["departments"]:
        names = [process["name"].lower() for process in department["processes"]]
        assert len(names) == len(set(names)), department["key"]


def test_complexity_is_one_to_three_and_all_three_are_used() -> None:
    complexities = Counter(process["complexity"] for _, process in all_processes())
    assert set(complexities) == {1, 2, 3}
    for _, process in all_processes():
        assert type(process["complexity"]) is int


@pytest.mark.parametrize(
    ("department", "required"),
    [
        (
            "marketing",
            {
                "content_marketing", "paid_advertising", "seo", "email_campaigns",
                "lead_generation", "brand", "market_research", "social_media",
            },
        ),
        (
            "hr",
            {"recruitment", "onboarding", "performance_reviews", "training", "payroll_admin"},
        ),
        ("finance", {"invoicing_collections", "bookkeeping", "cash_flow"}),
    ],
)  # fmt: skip
def test_department_has_the_processes_the_product_names(
    department: str, required: set[str]
) -> None:
    (found,) = [d for d in taxonomy()["departments"] if d["key"] == department]
    assert required <= {process["key"] for process in found["processes"]}
