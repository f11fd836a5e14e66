"""The round file format: every problem is named by its place in the file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from exchange.rounds.io import (
    RoundFileError,
    load_round_file,
    parse_round_document,
    parse_round_json,
    render_result,
    solve_round_file,
)
from exchange.rounds.solver import Edge, Firm, solve_round


def afreen_and_rajeev() -> dict[str, Any]:
    """Afreen's studio and Rajeev's bakery swap; Chitra's shop closes a 3-cycle with them."""
    return {
        "nodes": [{"id": "afreen", "capacity": 2}, {"id": "rajeev"}, {"id": "chitra"}],
        "edges": [
            {"from": "afreen", "to": "rajeev", "weight": 3.5},
            {"from": "rajeev", "to": "afreen", "weight": 2},
            {"from": "rajeev", "to": "chitra", "weight": 1},
            {"from": "chitra", "to": "afreen", "weight": 1.25},
        ],
    }


def problems_of(document: object) -> list[str]:
    with pytest.raises(RoundFileError) as caught:
        parse_round_document(document)
    return caught.value.problems


def test_a_valid_file_parses_with_defaults() -> None:
    problem = parse_round_json(json.dumps(afreen_and_rajeev()))
    assert problem.max_cycle_length == 3
    assert problem.firms == (Firm("afreen", 2), Firm("rajeev", 1), Firm("chitra", 1))
    assert problem.edges[0] == Edge("afreen", "rajeev", 3.5)
    assert isinstance(problem.edges[1].weight, float)


def test_text_that_is_not_json_is_rejected_with_its_position() -> None:
    with pytest.raises(RoundFileError) as caught:
        parse_round_json('{"nodes": [}')
    assert caught.value.problems[0].startswith("not valid JSON: ")
    assert "line 1, column 12" in caught.value.problems[0]


def test_bytes_that_are_not_utf8_are_rejected() -> None:
    with pytest.raises(RoundFileError, match="not valid JSON"):
        parse_round_json(b"\xff\xfe\x00{")


def test_the_top_level_must_be_an_object() -> None:
    assert problems_of([1, 2]) == ["top level: must be an object with nodes and edges, got [1, 2]"]


def test_missing_nodes_and_edges_are_named() -> None:
    assert problems_of({}) == ["nodes: missing", "edges: missing"]


def test_unknown_keys_are_errors_so_typos_do_not_fall_back_to_defaults() -> None:
    document = afreen_and_rajeev()
    document["nodes"][1] = {"id": "rajeev", "capacty": 2}
    document["max_cycle_lenght"] = 2
    assert problems_of(document) == [
        'top level: unknown key "max_cycle_lenght" (allowed: edges, max_cycle_length, nodes)',
        'nodes[1]: unknown key "capacty" (allowed: capacity, id)',
    ]


@pytest.mark.parametrize("capacity", [-1, 1.5, True, "2", None])
def test_a_bad_capacity_is_named(capacity: object) -> None:
    document = afreen_and_rajeev()
    document["nodes"][2]["capacity"] = capacity
    (problem,) = problems_of(document)
    assert problem.startswith("nodes[2].capacity: must be an integer ≥ 0, got ")


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"capacity": 1}, "nodes[1].id: missing"),
        ({"id": ""}, 'nodes[1].id: must be a non-empty string, got ""'),
        ({"id": 7}, "nodes[1].id: must be a non-empty string, got 7"),
        ("rajeev", 'nodes[1]: must be an object, got "rajeev"'),
    ],
)
def test_a_bad_node_is_named(node: object, expected: str) -> None:
    document = afreen_and_rajeev()
    document["nodes"][1] = node
    document["edges"] = []  # keep the report to the node itself
    assert problems_of(document) == [expected]


def test_duplicate_node_ids_name_both_places() -> None:
    document = afreen_and_rajeev()
    document["nodes"].append({"id": "afreen"})
    assert problems_of(document) == ['nodes[3].id: duplicate id "afreen" (first at nodes[0])']


def test_an_edge_to_an_unknown_node_is_named() -> None:
    document = afreen_and_rajeev()
    document["edges"].append({"from": "afreen", "to": "zz", "weight": 1})
    assert problems_of(document) == ['edges[4].to: unknown node "zz"']


@pytest.mark.parametrize("weight", [0, -2.5, True, "3", None, math.nan, math.inf, 10**400, 1e301])
def test_a_weight_that_is_not_a_finite_positive_number_is_named(weight: object) -> None:
    document = afreen_and_rajeev()
    document["edges"][3]["weight"] = weight
    (problem,) = problems_of(document)
    assert problem.startswith("edges[3].weight: must be a finite number > 0 and ≤ 1e+300, got ")


def test_nan_written_in_the_file_is_rejected() -> None:
    text = json.dumps(afreen_and_rajeev()).replace("1.25", "NaN")
    with pytest.raises(RoundFileError) as caught:
        parse_round_json(text)
    assert caught.value.problems == [
        "edges[3].weight: must be a finite number > 0 and ≤ 1e+300, got nan"
    ]


def test_missing_edge_fields_are_named() -> None:
    document = afreen_and_rajeev()
    document["edges"][0] = {"from": "afreen"}
    assert problems_of(document) == ["edges[0].to: missing", "edges[0].weight: missing"]


@pytest.mark.parametrize("length", [1, 4, "3", 3.0])
def test_max_cycle_length_must_be_two_or_three(length: object) -> None:
    document = afreen_and_rajeev()
    document["max_cycle_length"] = length
    (problem,) = problems_of(document)
    assert problem.startswith("max_cycle_length: must be 2 or 3, got ")


def test_every_problem_is_reported_at_once_and_in_the_message() -> None:
    document = afreen_and_rajeev()
    document["nodes"][0]["capacity"] = -1
    document["edges"][1]["to"] = "zz"
    document["edges"][2]["weight"] = 0
    with pytest.raises(RoundFileError) as caught:
        parse_round_document(document)
    assert len(caught.value.problems) == 3
    message = str(caught.value)
    assert message.startswith("invalid round file\n")
    assert 'edges[1].to: unknown node "zz"' in message


def test_self_loops_and_duplicates_are_not_file_errors_but_are_reported() -> None:
    document = afreen_and_rajeev()
    document["edges"] += [
        {"from": "chitra", "to": "chitra", "weight": 1},
        {"from": "afreen", "to": "rajeev", "weight": 1},
    ]
    problem = parse_round_document(document)
    result = solve_round(problem.firms, problem.edges)
    assert result.ignored == [
        'duplicate edge "afreen" → "rajeev": kept weight 3.5, ignored 1',
        'self-loop "chitra" → "chitra" ignored',
    ]


def test_the_rendered_result_is_plain_json() -> None:
    problem = parse_round_document(afreen_and_rajeev())
    rendered = render_result(solve_round(problem.firms, problem.edges))
    assert rendered["status"] == "optimal"
    assert rendered["proven_optimal"] is True
    # Rajeev has capacity 1: the 3-cycle (5.75) beats the swap (5.5).
    assert rendered["cycles"] == [["afreen", "rajeev", "chitra"]]
    assert rendered["cycle_weights"] == [5.75]
    assert rendered["total_weight"] == 5.75
    assert rendered["counts"]["firms_served"] == 3
    assert json.loads(json.dumps(rendered, allow_nan=False)) == rendered


def test_a_file_is_loaded_solved_and_rendered(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    document = afreen_and_rajeev()
    document["max_cycle_length"] = 2
    path.write_text(json.dumps(document), encoding="utf-8")
    assert load_round_file(path).max_cycle_length == 2
    rendered = solve_round_file(path, prefer="more_swaps", time_limit=30)
    assert rendered["cycles"] == [["afreen", "rajeev"]]


def test_a_missing_file_is_a_round_file_error(tmp_path: Path) -> None:
    with pytest.raises(RoundFileError, match="cannot read round file"):
        load_round_file(tmp_path / "nowhere.json")


def test_bad_solver_options_are_round_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text(json.dumps(afreen_and_rajeev()), encoding="utf-8")
    with pytest.raises(RoundFileError, match="prefer: must be one of"):
        solve_round_file(path, prefer="cheapest")  # type: ignore[arg-type]
