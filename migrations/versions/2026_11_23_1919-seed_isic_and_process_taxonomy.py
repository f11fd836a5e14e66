"""seed ISIC Rev. 4 and the default process taxonomy

Loads exchange/taxonomy/data/isic4.json (the full ISIC Rev. 4 tree) and
exchange/taxonomy/data/processes.json (our default departments and processes). Later changes to
either file ship as new migrations that apply the difference.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:18:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

industries = sa.table(
    "industries",
    sa.column("code", sa.String), sa.column("level", sa.String),
    sa.column("title", sa.String), sa.column("parent_code", sa.String),
)
departments = sa.table(
    "departments",
    sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("name", sa.String),
    sa.column("description", sa.String), sa.column("position", sa.Integer),
)
processes = sa.table(
    "processes",
    sa.column("key", sa.String), sa.column("department_id", sa.Integer),
    sa.column("name", sa.String), sa.column("description", sa.String),
    sa.column("complexity", sa.Integer), sa.column("position", sa.Integer),
    sa.column("version", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _data(name: str) -> object:
    return json.loads(files("exchange.taxonomy").joinpath("data", name).read_text("utf-8"))


def upgrade() -> None:
    tree = _data("isic4.json")
    # Parents first: sections, divisions, groups, classes (the foreign key is enforced).
    order = {"section": 0, "division": 1, "group": 2, "class": 3}
    rows = sorted(tree, key=lambda n: order[n["level"]])  # type: ignore[index]
    op.bulk_insert(industries, [
        {"code": n["code"], "level": n["level"], "title": n["title"], "parent_code": n["parent"]}
        for n in rows
    ])
    taxonomy = _data("processes.json")
    now = datetime.now(UTC)
    bind = op.get_bind()
    for d_pos, dept in enumerate(taxonomy["departments"]):  # type: ignore[index]
        bind.execute(departments.insert().values(
            key=dept["key"], name=dept["name"], description=dept.get("description", ""),
            position=d_pos,
        ))
        dept_id = bind.execute(
            sa.select(departments.c.id).where(departments.c.key == dept["key"])
        ).scalar_one()
        op.bulk_insert(processes, [
            {"key": f"{dept['key']}.{p['key']}", "department_id": dept_id, "name": p["name"],
             "description": p["description"], "complexity": p["complexity"], "position": p_pos,
             "version": 1, "created_at": now, "updated_at": now}
            for p_pos, p in enumerate(dept["processes"])
        ])


def downgrade() -> None:
    op.execute(processes.delete())
    op.execute(departments.delete())
    # Children before parents.
    for level in ("class", "group", "division", "section"):
        op.execute(industries.delete().where(industries.c.level == level))
