"""`exchange match`: partner suggestions from the command line, for data in a JSON file (no
database needed) or for businesses in the database.

Both modes build the same matcher input the same way — places through
``profiles.places.normalize_place``, the ISIC section from the class, country names from ISO —
so the same businesses give the same partners, scores and order either way (a test checks it).

Dataset mode reads the import shape (``exchange import``): ``id``, ``name``, ``isic``,
``country``, ``region``, ``city``, ``market_reach``, ``excluded``, ``cells: [{process, level,
offer, need}]`` and optionally ``hosting_capacity`` (default 1, as on import), ``languages`` and
``visibility``. Process keys are ``department.process``; keys outside our taxonomy are accepted
here, their department taken from the prefix. Other fields (``slug``, ``description``,
``target_level``, …) are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from exchange.matching.algorithm import (
    BusinessRecord,
    MatchingIndex,
    SuggestionQuery,
    Taxonomy,
    Visibility,
    suggest_partners,
)
from exchange.matching.competition import MARKET_REACHES, IsicDepth
from exchange.matching.explain import Suggestion
from exchange.profiles.places import country_name, display_place, language_name, normalize_place

# The serving layer (web and database) is imported where used, so that other `exchange`
# commands do not load it.

MAX_PROBLEMS_SHOWN = 20
VISIBILITIES = ("public", "networks")


class MatchError(Exception):
    """Bad input for `exchange match`; the message says what and where."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        lines = [self.args[0]]
        lines.extend(f"  {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN])
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"  … and {len(self.problems) - MAX_PROBLEMS_SHOWN} more")
        return "\n".join(lines)


# -- our reference data, read from the package (no database) ----------------------------------


def _data(name: str) -> Any:
    text = resources.files("exchange").joinpath("taxonomy", "data", name).read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def isic_sections() -> dict[str, str]:
    """Every ISIC Rev. 4 code in ``exchange/taxonomy/data/isic4.json`` → its section letter."""
    parents = {node["code"]: node["parent"] for node in _data("isic4.json")}
    sections = {}
    for code in parents:
        top = code
        while parents.get(top):
            top = parents[top]
        sections[code] = top
    return sections


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """Our process taxonomy as shipped (``processes.json``, what the migration seeds), with
    names as the database path words them."""
    from exchange.matching.serving import in_sentence

    keys, names = [], {}
    for department in _data("processes.json")["departments"]:
        for process in department["processes"]:
            key = f"{department['key']}.{process['key']}"
            keys.append(key)
            names[key] = in_sentence(process["name"])
    return Taxonomy(keys, names)


# -- dataset mode -------------------------------------------------------------------------------


def read_dataset(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MatchError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MatchError(f"{path}: cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MatchError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, list):
        raise MatchError(f"{path}: expected a JSON list of businesses")
    return data


def _text(record: dict[str, Any], name: str, where: str, problems: list[str],
          *, required: bool = True) -> str:
    value = record.get(name)
    if value is None or value == "":
        if required:
            problems.append(f"{where}: {name} is required")
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: {name} must be a string")
        return ""
    return value


def _cells(raw: Any, where: str, problems: list[str]) -> dict[str, tuple[int, bool, int]]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        problems.append(f"{where}: cells must be a list")
        return {}
    cells: dict[str, tuple[int, bool, int]] = {}
    for i, cell in enumerate(raw):
        at = f"{where}: cells[{i}]"
        if not isinstance(cell, dict):
            problems.append(f"{at}: must be an object")
            continue
        key = cell.get("process")
        if not isinstance(key, str):
            problems.append(f"{at}.process: expected a 'department.process' key, got {key!r}")
            continue
        department, dot, process = key.partition(".")
        if not (department and dot and process):
            problems.append(f"{at}.process: expected a 'department.process' key, got {key!r}")
            continue
        level, offer, need = cell.get("level", 0), cell.get("offer", False), cell.get("need", 0)
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 5:
            problems.append(f"{at}.level: must be an integer 0-5, got {level!r}")
            continue
        if not isinstance(offer, bool):
            problems.append(f"{at}.offer: must be true or false, got {offer!r}")
            continue
        if isinstance(need, bool) or not isinstance(need, int) or not 0 <= need <= 3:
            problems.append(f"{at}.need: must be an integer 0-3, got {need!r}")
            continue
        if key in cells:
            problems.append(f"{at}.process: {key!r} appears twice")
            continue
        cells[key] = (level, offer, need)
    return cells


def _tags(raw: Any, name: str, where: str, problems: list[str]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str | int) for x in raw):
        problems.append(f"{where}: {name} must be a list")
        return []
    return [str(x).strip() for x in raw if str(x).strip()]


def dataset_records(data: Sequence[Any]) -> list[BusinessRecord]:
    """Validate the businesses of a dataset and turn them into matcher records, normalised like
    the database path does. Raises :class:`MatchError` listing every problem."""
    problems: list[str] = []
    ids: list[str] = []
    for record in data:
        raw_id = record.get("id") if isinstance(record, dict) else None
        ids.append(str(raw_id).strip() if isinstance(raw_id, str | int) else "")
    known = set(ids)
    counted: dict[str, int] = {}
    for business_id in ids:
        counted[business_id] = counted.get(business_id, 0) + 1
    sections = isic_sections()
    records: list[BusinessRecord] = []
    for position, record in enumerate(data):
        business_id = ids[position]
        where = f"#{position}" + (f" (id {business_id!r})" if business_id else "")
        if not isinstance(record, dict):
            problems.append(f"#{position}: must be an object")
            continue
        before = len(problems)
        if not business_id or isinstance(record.get("id"), bool):
            problems.append(f"{where}: id is required (a string or a number)")
        elif counted[business_id] > 1:
            problems.append(f"{where}: id appears more than once in the file")
        name = _text(record, "name", where, problems)
        isic = str(record.get("isic") or "").strip()
        if not isic:
            problems.append(f"{where}: isic is required")
        elif not isic.isdigit() or isic not in sections:
            problems.append(f"{where}: isic {isic!r} is not an ISIC Rev. 4 code")
        country = _text(record, "country", where, problems).strip().upper()
        if country and country_name(country) is None:
            problems.append(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code")
        region = _text(record, "region", where, problems, required=False)
        city = _text(record, "city", where, problems)
        if city and not display_place(city):
            problems.append(f"{where}: city must not be blank")
        reach = _text(record, "market_reach", where, problems)
        if reach and reach not in MARKET_REACHES:
            problems.append(f"{where}: market_reach must be one of {', '.join(MARKET_REACHES)}")
        visibility: Visibility = record.get("visibility") or "public"
        if visibility not in VISIBILITIES:
            problems.append(f"{where}: visibility must be public or networks")
        capacity = record.get("hosting_capacity", 1)
        if capacity is None:
            capacity = 1
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            problems.append(f"{where}: hosting_capacity must be an integer ≥ 0")
        languages = [code.lower() for code in _tags(record.get("languages"), "languages", where,
                                                     problems)]
        unknown = sorted({code for code in languages if language_name(code) is None})
        if unknown:
            problems.append(f"{where}: languages: not ISO 639-1 codes: {', '.join(unknown)}")
        excluded = _tags(record.get("excluded"), "excluded", where, problems)
        missing = [other for other in excluded if other not in known]
        if missing:
            problems.append(f"{where}: excluded: unknown ids: {', '.join(missing[:10])}")
        if business_id and business_id in excluded:
            problems.append(f"{where}: excluded: a business cannot exclude itself")
        cells = _cells(record.get("cells"), where, problems)
        if len(problems) > before:
            continue
        records.append(BusinessRecord(
            id=business_id, name=display_place(name), isic=isic, isic_section=sections[isic],
            country=country, region=normalize_place(region), city=normalize_place(city),
            market_reach=reach,  # type: ignore[arg-type]
            excluded=frozenset(excluded), hosting_capacity=capacity,
            visibility=visibility, languages=frozenset(dict.fromkeys(languages)),
            cells=cells, city_display=display_place(city), region_display=display_place(region),
            country_display=country_name(country) or country,
        ))  # fmt: skip
    if problems:
        raise MatchError(f"The dataset has {len(problems)} problem(s):", problems)
    return records


def dataset_index(records: Iterable[BusinessRecord]) -> MatchingIndex:
    """The index of a dataset: our taxonomy plus any foreign process keys it brings."""
    return MatchingIndex.from_records(records, default_taxonomy())


def suggestion_line(business: str, suggestions: Sequence[Suggestion],
                    partner_of: dict[str, str] | None = None) -> dict[str, Any]:
    """One output line: ``{"business": ID, "suggestions": [{"partner", "score", "learn",
    "teach"}]}``; ``partner_of`` turns index ids into what the user knows (slugs)."""
    from exchange.matching.serving import contribution_fields

    return {
        "business": business,
        "suggestions": [
            {
                "partner": (partner_of or {}).get(s.partner_id, s.partner_id),
                "name": s.partner_name,
                "score": s.score,
                "learn_value": s.learn_value,
                "teach_value": s.teach_value,
                "learn": [contribution_fields(c) for c in s.learn],
                "teach": [contribution_fields(c) for c in s.teach],
            }
            for s in suggestions
        ],
    }


def match_dataset(path: Path, business_ids: Sequence[str], *, limit: int = 20,
                  isic_depth: IsicDepth = "group") -> list[dict[str, Any]]:
    if not business_ids:
        raise MatchError("Name at least one business of the dataset with --business ID.")
    records = dataset_records(read_dataset(path))
    index = dataset_index(records)
    unknown = [b for b in business_ids if b not in index]
    if unknown:
        raise MatchError(f"{path}: no business with id {', '.join(map(repr, unknown))}")
    query = SuggestionQuery(limit=limit, isic_depth=isic_depth)
    return [suggestion_line(b, suggest_partners(index, b, query)) for b in business_ids]


# -- database mode ------------------------------------------------------------------------------


def match_database(database_url: str, slugs: Sequence[str], *, limit: int = 20,
                   isic_depth: IsicDepth = "group") -> list[dict[str, Any]]:
    """Suggestions for businesses in the database, by address (slug), through the same holder
    the web app uses."""
    from sqlalchemy.exc import OperationalError, ProgrammingError
    from sqlmodel import Session, col, select

    from exchange.db import make_engine
    from exchange.matching.serving import MatchingHolder, business_id_of
    from exchange.profiles.models import Business

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            try:
                found = {b.slug: b for b in session.exec(
                    select(Business).where(col(Business.slug).in_(list(slugs)))).all()}
            except (OperationalError, ProgrammingError):
                raise MatchError("The database is not set up: run `exchange db upgrade` "
                                 "(or `exchange demo`) first.") from None
            unknown = [s for s in slugs if s not in found]
            if unknown:
                raise MatchError(f"No business with address {', '.join(map(repr, unknown))}")
            archived = [s for s in slugs if found[s].archived_at is not None]
            if archived:
                raise MatchError(f"{', '.join(map(repr, archived))} archived: archived businesses "
                                 "take part in no matching")
            holder = MatchingHolder()
            query = SuggestionQuery(limit=limit, isic_depth=isic_depth)
            lines = []
            for slug in slugs:
                business_id = found[slug].id
                assert business_id is not None
                suggestions = holder.suggest(session, business_id, query)
                partner_of = {}
                for s in suggestions:
                    partner_slug = holder.slug_of(business_id_of(s.partner_id))
                    partner_of[s.partner_id] = partner_slug or s.partner_id
                lines.append(suggestion_line(slug, suggestions, partner_of))
            return lines
    finally:
        engine.dispose()


# -- the typer command (registered in exchange/cli.py) ------------------------------------------


class DepthChoice(StrEnum):
    section = "section"
    division = "division"
    group = "group"
    class_ = "class"


def match_command(
    slugs: Annotated[
        list[str] | None,
        typer.Argument(help="Address (slug) of a business in the database; several allowed. "
                            "Leave out with --dataset.", show_default=False, metavar="SLUG"),
    ] = None,
    dataset: Annotated[
        Path | None,
        typer.Option("--dataset", help="JSON file: a list of businesses in the import shape. "
                                       "Matches among them only; no database needed.",
                     dir_okay=False, show_default=False),
    ] = None,
    business: Annotated[
        list[str] | None,
        typer.Option("--business", "-b", help="Id of a business in the --dataset file to "
                                               "suggest partners for; repeat for several.",
                     show_default=False),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-k", min=1, max=1000, help="Partners per business."),
    ] = 20,
    isic_depth: Annotated[
        DepthChoice,
        typer.Option("--isic-depth", help="ISIC depth at which two firms in overlapping markets "
                                          "compete."),
    ] = DepthChoice.group,
) -> None:
    """Suggest partners: print one JSON line per business asked,
    {"business": ID, "suggestions": [{"partner": ID, "score": x, "learn": [...],
    "teach": [...]}]}, best partner first.

    For a file: exchange match --dataset FILE.json --business ID [--business ID ...].
    For the database: exchange match SLUG [SLUG ...] (uses EXCHANGE_DATABASE_URL).

    "learn" lists what the business would learn from the partner, "teach" what the partner
    would learn from it, each process with levels, need, value and share. Bad input is reported
    on stderr with exit code 1."""
    from exchange.config import get_settings

    depth: IsicDepth = isic_depth.value  # type: ignore[assignment]
    try:
        if dataset is not None:
            if slugs:
                raise MatchError("Give either --dataset with --business, or database slugs, "
                                 f"not both (got {' '.join(slugs)}).")
            lines = match_dataset(dataset, business or [], limit=limit, isic_depth=depth)
        else:
            if business:
                raise MatchError("--business needs --dataset; for the database, give slugs.")
            if not slugs:
                raise MatchError("Name a business: exchange match SLUG, or "
                                 "exchange match --dataset FILE.json --business ID.")
            lines = match_database(get_settings().database_url, slugs, limit=limit,
                                   isic_depth=depth)
    except MatchError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None
    for line in lines:
        typer.echo(json.dumps(line, ensure_ascii=False))
