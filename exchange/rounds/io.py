"""The exchange-round file format: parse and validate a JSON round, render a result as JSON.

Input::

    {"nodes": [{"id": "a", "capacity": 1}, ...],
     "edges": [{"from": "a", "to": "b", "weight": 3.5}, ...],
     "max_cycle_length": 3}

``capacity`` defaults to 1 and ``max_cycle_length`` to 3 (2 or 3). An edge ``from → to`` means
``to`` can host an intern from ``from``, who would learn ``weight``. Every problem in a file is
reported at once, each naming its place (``edges[3].to: unknown node "zz"``), in one
:class:`RoundFileError`. Unknown keys are errors too: a misspelt ``"capacty"`` would otherwise
silently fall back to the default. Self-loops and duplicate edges are not errors; the solver
skips them and lists them under ``ignored`` in the output.

Used by the ``exchange rounds solve FILE.json`` command; no web, no database.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from exchange.rounds.solver import (
    MAX_CYCLE_LENGTHS,
    MAX_WEIGHT,
    Edge,
    Firm,
    Prefer,
    ProgressCallback,
    RoundInputError,
    RoundResult,
    SolveProgress,
    solve_round,
)

TOP_LEVEL_KEYS = frozenset({"nodes", "edges", "max_cycle_length"})
NODE_KEYS = frozenset({"id", "capacity"})
EDGE_KEYS = frozenset({"from", "to", "weight"})
_SHOWN_PROBLEMS = 20


class RoundFileError(ValueError):
    """A round file that cannot be solved; ``problems`` lists every reason, each naming a field."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.message = message
        self.problems = list(problems) or [message]
        shown = "\n".join(f"  - {p}" for p in self.problems[:_SHOWN_PROBLEMS])
        hidden = len(self.problems) - _SHOWN_PROBLEMS
        more = f"\n  ... and {hidden} more" if hidden > 0 else ""
        super().__init__(f"{message}\n{shown}{more}" if problems else message)


@dataclass(frozen=True, slots=True)
class RoundProblem:
    firms: tuple[Firm, ...]
    edges: tuple[Edge, ...]
    max_cycle_length: int


def _describe(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else None
    text = text if text is not None else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown_keys(where: str, item: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    return [
        f"{where}: unknown key {json.dumps(key)} (allowed: {', '.join(sorted(allowed))})"
        for key in item
        if key not in allowed
    ]


def _parse_nodes(nodes: object, problems: list[str]) -> list[Firm]:
    if not isinstance(nodes, list):
        problems.append(f"nodes: must be a list of objects, got {_describe(nodes)}")
        return []
    firms: list[Firm] = []
    first_seen: dict[str, int] = {}
    for index, node in enumerate(nodes):
        where = f"nodes[{index}]"
        if not isinstance(node, dict):
            problems.append(f"{where}: must be an object, got {_describe(node)}")
            continue
        problems.extend(_unknown_keys(where, node, NODE_KEYS))
        ok = True
        node_id = node.get("id")
        if "id" not in node:
            problems.append(f"{where}.id: missing")
            ok = False
        elif not isinstance(node_id, str) or not node_id:
            problems.append(f"{where}.id: must be a non-empty string, got {_describe(node_id)}")
            ok = False
        elif node_id in first_seen:
            problems.append(
                f'{where}.id: duplicate id "{node_id}" (first at nodes[{first_seen[node_id]}])'
            )
            ok = False
        capacity = node.get("capacity", 1)
        if not _is_integer(capacity) or capacity < 0:
            problems.append(f"{where}.capacity: must be an integer ≥ 0, got {_describe(capacity)}")
            ok = False
        if isinstance(node_id, str) and node_id and node_id not in first_seen:
            first_seen[node_id] = index
        if ok:
            firms.append(Firm(id=node_id, capacity=capacity))  # type: ignore[arg-type]
    return firms


def _parse_weight(value: object) -> float | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        weight = float(value)
    except OverflowError:  # an integer literal too large for a float
        return None
    return weight if math.isfinite(weight) and 0 < weight <= MAX_WEIGHT else None


def _parse_edges(edges: object, known: set[str], problems: list[str]) -> list[Edge]:
    if not isinstance(edges, list):
        problems.append(f"edges: must be a list of objects, got {_describe(edges)}")
        return []
    parsed: list[Edge] = []
    for index, edge in enumerate(edges):
        where = f"edges[{index}]"
        if not isinstance(edge, dict):
            problems.append(f"{where}: must be an object, got {_describe(edge)}")
            continue
        problems.extend(_unknown_keys(where, edge, EDGE_KEYS))
        ok = True
        ends: list[str] = []
        for key in ("from", "to"):
            name = edge.get(key)
            if key not in edge:
                problems.append(f"{where}.{key}: missing")
                ok = False
            elif not isinstance(name, str):
                problems.append(f"{where}.{key}: must be a node id (string), got {_describe(name)}")
                ok = False
            elif name not in known:
                problems.append(f"{where}.{key}: unknown node {json.dumps(name)}")
                ok = False
            else:
                ends.append(name)
        if "weight" not in edge:
            problems.append(f"{where}.weight: missing")
            ok = False
        weight = _parse_weight(edge.get("weight"))
        if "weight" in edge and weight is None:
            problems.append(
                f"{where}.weight: must be a finite number > 0 and ≤ {MAX_WEIGHT:g}, "
                f"got {_describe(edge['weight'])}"
            )
            ok = False
        if ok and weight is not None:
            parsed.append(Edge(source=ends[0], target=ends[1], weight=weight))
    return parsed


def parse_round_document(document: object) -> RoundProblem:
    """Validate an already-decoded JSON document; raise :class:`RoundFileError` listing all."""
    if not isinstance(document, dict):
        raise RoundFileError(
            "invalid round file",
            [f"top level: must be an object with nodes and edges, got {_describe(document)}"],
        )
    problems = _unknown_keys("top level", document, TOP_LEVEL_KEYS)
    for key in ("nodes", "edges"):
        if key not in document:
            problems.append(f"{key}: missing")
    max_cycle_length = document.get("max_cycle_length", 3)
    if not _is_integer(max_cycle_length) or max_cycle_length not in MAX_CYCLE_LENGTHS:
        problems.append(f"max_cycle_length: must be 2 or 3, got {_describe(max_cycle_length)}")
    firms = _parse_nodes(document.get("nodes", []), problems)
    # Edges are checked against every well-formed id, even of a node that failed on its
    # capacity, so that one mistake is reported once and not again for each of its edges.
    nodes = document.get("nodes")
    known = {
        node["id"]
        for node in (nodes if isinstance(nodes, list) else [])
        if isinstance(node, dict) and isinstance(node.get("id"), str) and node["id"]
    }
    edges = _parse_edges(document.get("edges", []), known, problems)
    if problems:
        raise RoundFileError("invalid round file", problems)
    return RoundProblem(firms=tuple(firms), edges=tuple(edges), max_cycle_length=max_cycle_length)


def parse_round_json(text: str | bytes) -> RoundProblem:
    """Parse the JSON text of a round file; raise :class:`RoundFileError` on any problem."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RoundFileError(
            "invalid round file",
            [f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"],
        ) from None
    except UnicodeDecodeError as error:
        raise RoundFileError(
            "invalid round file", [f"not valid JSON: not UTF-8 text ({error.reason})"]
        ) from None
    return parse_round_document(document)


def load_round_file(path: str | os.PathLike[str]) -> RoundProblem:
    """Read and parse a round file; an unreadable file is a :class:`RoundFileError` too."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise RoundFileError(
            f"cannot read round file {os.fspath(path)!s}", [error.strerror or str(error)]
        ) from None
    return parse_round_json(data)


def render_result(result: RoundResult) -> dict[str, Any]:
    """The JSON-ready output: status, total_weight, cycles, seconds, then the details.

    Only finite numbers and plain lists, so ``json.dumps(..., allow_nan=False)`` always works.
    """
    return {
        "status": result.status,
        "total_weight": result.total_weight,
        "cycles": [list(cycle) for cycle in result.cycles],
        "seconds": round(result.seconds, 4),
        "proven_optimal": result.proven_optimal,
        "cycle_weights": list(result.cycle_weights),
        "mip_gap": result.mip_gap,
        "bound": result.bound,
        "tie_break_complete": result.tie_break_complete,
        "counts": asdict(result.counts),
        "ignored": list(result.ignored),
        "detail": result.detail,
    }


def solve_round_file(
    path: str | os.PathLike[str],
    *,
    prefer: Prefer = "none",
    time_limit: float | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Load, solve and render one round file: the whole ``exchange rounds solve`` command."""
    problem = load_round_file(path)
    try:
        result = solve_round(
            problem.firms,
            problem.edges,
            max_cycle_length=problem.max_cycle_length,
            prefer=prefer,
            time_limit=time_limit,
            progress=progress,
        )
    except RoundInputError as error:  # prefer / time_limit: options, not file content
        raise RoundFileError("invalid options", error.problems) from None
    return render_result(result)


def progress_line(progress: SolveProgress) -> str:
    """One line of the CLI's progress display: elapsed, incumbent, bound, gap, stage."""
    gap = "—" if not math.isfinite(progress.gap) else f"{progress.gap:.2%}"
    return (
        f"{progress.seconds:7.1f} s  best {progress.incumbent:,.2f}  bound {progress.bound:,.2f}"
        f"  gap {gap}  ({progress.stage})"
    )
