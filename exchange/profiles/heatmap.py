"""What the heatmap and the side-by-side view show, built from matrix grids.

Pure: takes the `GridDepartment` lists that `matrix.grid()` returns and gives back plain
dataclasses for the templates (`templates/profiles/_heatmap.html`,
`templates/profiles/_compare_table.html`). No queries, no web: the same rows will explain
match suggestions later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from exchange.profiles.matrix import HOST_MIN_LEVEL, LEVEL_NAMES, NEED_NAMES, GridDepartment
from exchange.profiles.models import MatrixCell
from exchange.taxonomy.models import Process


@dataclass(frozen=True)
class CellView:
    """One business's answer for one process (all zero when it recorded nothing)."""

    level: int = 0
    offer: bool = False
    need: int = 0
    target_level: int | None = None
    evidence: str | None = None
    recorded: bool = False

    @classmethod
    def of(cls, cell: MatrixCell | None) -> CellView:
        if cell is None:
            return cls()
        return cls(cell.level, cell.offer, cell.need, cell.target_level, cell.evidence, True)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def need_name(self) -> str:
        return NEED_NAMES[self.need]

    def can_host(self, host_min_level: int = HOST_MIN_LEVEL) -> bool:
        """A strength (PRODUCT §3): offered, at least at the host minimum."""
        return self.offer and self.level >= host_min_level

    def describe(self) -> str:
        """The cell in words, e.g. "level 1 (ad hoc), need high, aiming for 4"."""
        words = [f"level {self.level} ({self.level_name})"]
        if self.need:
            words.append(f"need {self.need_name}")
        if self.target_level is not None:
            words.append(f"aiming for {self.target_level}")
        if self.offer:
            words.append("offers to host")
        return ", ".join(words)


# -- heatmap ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatTile:
    key: str
    name: str
    description: str
    retired: bool
    cell: CellView


@dataclass(frozen=True)
class HeatDepartment:
    key: str
    name: str
    tiles: list[HeatTile]
    process_count: int
    level_total: int
    needs: int
    strengths: int

    @property
    def average_level(self) -> float:
        """Over every process of the department; one not recorded counts as level 0."""
        return self.level_total / self.process_count if self.process_count else 0.0


@dataclass(frozen=True)
class Heatmap:
    departments: list[HeatDepartment]
    only_recorded: bool
    recorded: int
    needs: int
    strengths: int
    levels: list[tuple[int, str]] = field(default_factory=lambda: sorted(LEVEL_NAMES.items()))
    need_names: list[tuple[int, str]] = field(
        default_factory=lambda: sorted(NEED_NAMES.items())
    )

    @property
    def empty(self) -> bool:
        return self.recorded == 0


def build_heatmap(grid: Sequence[GridDepartment], *, only_recorded: bool = False) -> Heatmap:
    """Departments × processes with levels, needs and offers. `only_recorded` leaves out the
    processes the business has no cell for (and departments that are then empty)."""
    departments = []
    for dept in grid:
        active = [row for row in dept.rows if row.process.retired_at is None]
        tiles = [
            HeatTile(row.process.key, row.process.name, row.process.description,
                     row.process.retired_at is not None, CellView.of(row.cell))
            for row in dept.rows
            if row.cell is not None or not only_recorded
        ]
        if not tiles:
            continue
        cells = [t.cell for t in tiles]
        departments.append(HeatDepartment(
            key=dept.department.key,
            name=dept.department.name,
            tiles=tiles,
            process_count=len(active),
            level_total=sum(row.cell.level for row in active if row.cell is not None),
            needs=sum(1 for c in cells if c.need > 0),
            strengths=sum(1 for c in cells if c.can_host()),
        ))
    return Heatmap(
        departments=departments,
        only_recorded=only_recorded,
        recorded=sum(1 for d in departments for t in d.tiles if t.cell.recorded),
        needs=sum(d.needs for d in departments),
        strengths=sum(d.strengths for d in departments),
    )


# -- side by side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareRow:
    department_key: str
    department_name: str
    process_key: str
    process_name: str
    complexity: int
    retired: bool
    you: CellView
    them: CellView

    @property
    def they_can_teach_you(self) -> bool:
        """They host it (offered, level ≥ the host minimum), you need it and they are ahead."""
        return self.them.can_host() and self.you.need > 0 and self.them.level > self.you.level

    @property
    def you_can_teach_them(self) -> bool:
        return self.you.can_host() and self.them.need > 0 and self.you.level > self.them.level

    @property
    def gap(self) -> int:
        """How far they are ahead of you (negative: you are ahead)."""
        return self.them.level - self.you.level


@dataclass(frozen=True)
class Comparison:
    you_name: str
    them_name: str
    rows: list[CompareRow]

    @property
    def they_teach(self) -> list[CompareRow]:
        """What you can learn from them: the pressing needs and biggest gaps first."""
        rows = [r for r in self.rows if r.they_can_teach_you]
        return sorted(rows, key=lambda r: (-r.you.need, -r.gap, r.process_name))

    @property
    def you_teach(self) -> list[CompareRow]:
        rows = [r for r in self.rows if r.you_can_teach_them]
        return sorted(rows, key=lambda r: (-r.them.need, r.gap, r.process_name))

    @property
    def departments(self) -> list[tuple[str, list[CompareRow]]]:
        """The rows grouped by department, in taxonomy order."""
        groups: dict[str, list[CompareRow]] = {}
        for row in self.rows:
            groups.setdefault(row.department_name, []).append(row)
        return list(groups.items())


def _cells_by_process(grid: Sequence[GridDepartment]) -> dict[str, MatrixCell]:
    return {row.process.key: row.cell for dept in grid for row in dept.rows
            if row.cell is not None}


def compare_rows(
    grid_a: Sequence[GridDepartment], grid_b: Sequence[GridDepartment]
) -> list[CompareRow]:
    """One row per process where either business has a cell, in taxonomy order; `you` is A."""
    cells_a, cells_b = _cells_by_process(grid_a), _cells_by_process(grid_b)
    order: dict[str, tuple[tuple[int, int], GridDepartment, Process]] = {}
    for grid in (grid_a, grid_b):
        for dept in grid:
            for row in dept.rows:
                key = row.process.key
                if key in order or (key not in cells_a and key not in cells_b):
                    continue
                order[key] = ((dept.department.position, row.process.position), dept, row.process)
    rows = []
    for key, (_, dept, process) in sorted(order.items(), key=lambda item: item[1][0]):
        rows.append(CompareRow(
            department_key=dept.department.key,
            department_name=dept.department.name,
            process_key=key,
            process_name=process.name,
            complexity=process.complexity,
            retired=process.retired_at is not None,
            you=CellView.of(cells_a.get(key)),
            them=CellView.of(cells_b.get(key)),
        ))
    return rows


def compare(
    grid_a: Sequence[GridDepartment], grid_b: Sequence[GridDepartment], *,
    you_name: str, them_name: str,
) -> Comparison:
    return Comparison(you_name, them_name, compare_rows(grid_a, grid_b))
