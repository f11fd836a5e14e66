"""Reference data: searching the ISIC Rev. 4 industry tree, and reading and curating our process
taxonomy (departments and processes).

**Industries** never change while the service runs (they change only by migration, and
`exchange serve` migrates before it starts), and there are only 766 of them, so the whole tree is
read once per process and database into an in-memory `IndustryTree` (a few hundred kilobytes,
loaded in milliseconds). Searching it is plain Python over that list: identical on SQLite and
PostgreSQL, no ILIKE or full-text tricks, and a search costs well under a millisecond.
`clear_industry_cache()` forgets the trees (tests that rebuild a database use it).

**Processes** are edited by platform admins, so they are always read from the database. Their
keys (`department.process`) are stable forever: edits change the wording (and bump `version`),
retiring hides a process from new matrices but never deletes it, so old matrices stay readable.

Services only flush; the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from exchange.db import utcnow
from exchange.errors import FieldError, NotFound, ValidationFailed
from exchange.taxonomy.models import Department, Industry, IndustryLevel, Process

# -- ISIC Rev. 4 ------------------------------------------------------------------------------

LEVELS: tuple[str, ...] = tuple(level.value for level in IndustryLevel)
LevelFilter = Literal["section", "division", "group", "class", "any"]
QUERY_MAX_LENGTH = 100
SEARCH_MAX_LIMIT = 100

# The official sections and the divisions each holds (ISIC Rev. 4 numbers its divisions so that
# every section is one contiguous range), so the section of any code is known without a lookup.
SECTION_DIVISIONS: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip

# Everyday words that owners type but the UN's titles do not use ("logistics", "staffing"),
# pointing at the classes they usually mean, best first. Only whole query words (or their first
# four letters or more) trigger an alias; real title matches still rank above alias matches.
ALIASES: dict[str, tuple[str, ...]] = {
    "logistics": ("5210", "5229", "4923", "5224", "5320"),
    "shipping": ("5229", "5012", "4923", "5320"),
    "delivery": ("5320", "4923", "5610"),
    "staffing": ("7830", "7820", "7810"),
    "recruitment": ("7810", "7830", "7820"),
    "recruiting": ("7810", "7830", "7820"),
    "hiring": ("7810", "7830", "7820"),
    "marketing": ("7310", "7320"),
    "branding": ("7310", "7410"),
    "ux": ("7410", "6201"),
    "ui": ("7410", "6201"),
    "graphic": ("7410",),
    "software": ("6201", "6202", "5820"),
    "it": ("6201", "6202", "6209", "6311"),
    "app": ("6201", "5820"),
    "apps": ("6201", "5820"),
    "website": ("6201", "6311", "6312"),
    "saas": ("5820", "6311", "6201"),
    "consulting": ("7020", "6202", "7110"),
    "consultant": ("7020", "6202", "7110"),
    "accountant": ("6920",),
    "lawyer": ("6910",),
    "hotel": ("5510",),
    "cafe": ("5630", "5610"),
    "ecommerce": ("4791",),
    "online": ("4791", "6312"),
    "fabric": ("1311", "1312", "1313"),
    "garment": ("1410",),
    "clothing": ("1410", "4771"),
    "eyewear": ("3250", "4773"),
    "bank": ("6419",),
    "banking": ("6419",),
    "clinic": ("8620", "8690"),
    "doctor": ("8620",),
    "training": ("8549", "8550"),
    "tutoring": ("8549",),
    "events": ("8230", "9000"),
    "translation": ("7490",),
    "tourism": ("7911", "7912", "7990"),
    "salon": ("9602",),
    "gym": ("9311", "9312"),
    "fitness": ("9311", "9312"),
    "photography": ("7420",),
    "coworking": ("6810", "8211"),
    "farming": ("0150", "0111"),
    "bread": ("1071",),
    "call": ("8220",),
}

# Words too common in titles to say anything on their own (used only when no class matches
# every word of a query and we fall back to classes that match some of them).
STOP_WORDS = frozenset({"and", "of", "the", "for", "in", "on", "n", "e", "c", "other", "a",
                        "activities", "except", "related", "via", "by", "to", "or"})

_TOKEN = re.compile(r"[a-z0-9]+")
_CODE_QUERY = re.compile(r"(?:[a-u]|\d{1,4})")
# A picker label pasted back into the search box: "7410 — Specialized design activities".
_LABEL_QUERY = re.compile(r"^\s*([A-Ua-u]|\d{2,4})\s*[—–-]\s")


def section_of(code: str) -> str | None:
    """The section letter a code belongs to ("7410" → "M", "M" → "M"), from the official
    division ranges; None for something that is not shaped like an ISIC code. It does not check
    that the code exists (use `get_industry` for that)."""
    code = code.strip().upper()
    if re.fullmatch(r"[A-U]", code):
        return code
    if not re.fullmatch(r"\d{2,4}", code):
        return None
    division = int(code[:2])
    for letter, first, last in SECTION_DIVISIONS:
        if first <= division <= last:
            return letter
    return None


def _fold(text: str) -> str:
    """Lower case without accents or typographic apostrophes, for matching only."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text))


@dataclass(frozen=True)
class IndustryNode:
    """One node of the tree as read once from the `industries` table."""

    code: str
    level: str
    title: str
    parent_code: str | None
    section: str
    order: int  # position in the classification's own order (sections, then their children)
    words: tuple[str, ...] = field(repr=False, compare=False)
    folded_title: str = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.code} — {self.title}"


@dataclass(frozen=True)
class IndustryPage:
    items: list[IndustryNode]
    total: int
    offset: int
    limit: int


class IndustryTree:
    """The whole ISIC tree in memory, with the lookups the pages and the API need."""

    def __init__(self, rows: Iterable[Industry]):
        raw = {row.code: row for row in rows}
        # The classification's order: depth-first from the sections, children by code.
        children: dict[str | None, list[str]] = {}
        for row in raw.values():
            children.setdefault(row.parent_code, []).append(row.code)
        for codes in children.values():
            codes.sort()
        ordered: list[str] = []
        stack = list(reversed(children.get(None, [])))
        while stack:
            code = stack.pop()
            ordered.append(code)
            stack.extend(reversed(children.get(code, [])))
        self.nodes: dict[str, IndustryNode] = {}
        for position, code in enumerate(ordered):
            row = raw[code]
            self.nodes[code] = IndustryNode(
                code=row.code, level=row.level, title=row.title, parent_code=row.parent_code,
                section=section_of(row.code) or row.code, order=position,
                words=tuple(_tokens(row.title)), folded_title=" ".join(_tokens(row.title)),
            )
        self.children: dict[str | None, list[IndustryNode]] = {
            parent: [self.nodes[c] for c in codes] for parent, codes in children.items()
        }
        self.ordered: list[IndustryNode] = [self.nodes[c] for c in ordered]
        # word → the codes whose title has it (about 1,300 distinct words).
        self.word_index: dict[str, set[str]] = {}
        for node in self.ordered:
            for word in node.words:
                self.word_index.setdefault(word, set()).add(node.code)

    def __len__(self) -> int:
        return len(self.nodes)

    def get(self, code: str) -> IndustryNode | None:
        return self.nodes.get(code.strip().upper())

    def path(self, code: str) -> list[IndustryNode]:
        node = self.get(code)
        chain: list[IndustryNode] = []
        while node is not None:
            chain.append(node)
            node = self.nodes.get(node.parent_code) if node.parent_code else None
        return list(reversed(chain))

    def at_level(self, level: LevelFilter) -> list[IndustryNode]:
        if level == "any":
            return self.ordered
        return [n for n in self.ordered if n.level == level]


_trees: dict[str, IndustryTree] = {}
_trees_lock = threading.Lock()


def _database_key(session: Session) -> str:
    bind = session.get_bind()
    return bind.engine.url.render_as_string(hide_password=True)


def industry_tree(session: Session) -> IndustryTree:
    """The tree of the session's database, read on first use and kept for the process."""
    key = _database_key(session)
    tree = _trees.get(key)
    if tree is None:
        tree = IndustryTree(session.exec(select(Industry)).all())
        if len(tree):  # never cache an empty, not yet migrated database
            with _trees_lock:
                _trees[key] = tree
    return tree


def clear_industry_cache() -> None:
    with _trees_lock:
        _trees.clear()


def get_industry(session: Session, code: str) -> IndustryNode:
    node = industry_tree(session).get(code)
    if node is None:
        raise NotFound(f"There is no ISIC Rev. 4 code “{code.strip()[:20]}”.")
    return node


def industry_path(session: Session, code: str) -> list[IndustryNode]:
    """[section, division, group, class] down to `code` (shorter for a higher level)."""
    get_industry(session, code)
    return industry_tree(session).path(code)


def industry_children(session: Session, code: str | None) -> list[IndustryNode]:
    """The nodes one level below `code`; the 21 sections for None."""
    if code is not None:
        code = get_industry(session, code).code
    return list(industry_tree(session).children.get(code, []))


def check_query(q: str | None) -> str:
    """The query as searched (trimmed), or a ValidationFailed on field `q`."""
    text = " ".join((q or "").split())
    if len(text) > QUERY_MAX_LENGTH:
        raise ValidationFailed.single(
            "q", f"is too long: search with at most {QUERY_MAX_LENGTH} characters"
        )
    return text


def _check_level(level: str) -> LevelFilter:
    if level not in (*LEVELS, "any"):
        raise ValidationFailed.single("level", "must be section, division, group, class or any")
    return level  # type: ignore[return-value]


# Ranking tiers, best first. Within a tier: better word matches, then shorter titles (more
# specific), then the classification's order, so that the same query always ranks the same way.
EXACT_CODE, CODE_PREFIX, TITLE_WORDS, ALIAS, STEM, SUBSTRING, SOME_WORDS = range(7)

# Per-word match quality.
_EXACT_WORD, _WORD_START, _ALIAS_HIT, _STEM_HIT, _INSIDE = 5, 4, 3, 2, 1


def _code_matches(tree: IndustryTree, nodes: list[IndustryNode], query: str
                  ) -> list[tuple[tuple[Any, ...], IndustryNode]]:
    code = query.upper()
    found = []
    for node in nodes:
        if node.code == code:
            tier = EXACT_CODE
        elif code.isalpha():
            if node.section != code:
                continue
            tier = CODE_PREFIX
        elif node.code.startswith(code) or (code.startswith(node.code) and node.level != "section"):
            tier = CODE_PREFIX  # a narrower code, or the ancestor of the code asked for
        else:
            continue
        found.append(((tier, node.order), node))
    return found


def _alias_codes(token: str) -> tuple[str, ...]:
    codes = ALIASES.get(token)
    if codes is None and len(token) >= 4:
        for word, targets in ALIASES.items():
            if word.startswith(token):
                return targets
    return codes or ()


def _token_matches(tree: IndustryTree, nodes: list[IndustryNode], token: str
                   ) -> dict[str, tuple[int, int]]:
    """code → (match quality, alias rank) for every node of `nodes` that this query word hits.
    Works on the tree's word index, so a search touches only the words, not every title."""
    wanted = {n.code for n in nodes}
    found: dict[str, tuple[int, int]] = {}

    def hit(codes: Iterable[str], quality: int, rank: int = 0) -> None:
        for code in codes:
            if code in wanted and found.get(code, (0, 0))[0] < quality:
                found[code] = (quality, rank)

    # A light stem: "consulting" ~ "consultancy", "photography" ~ "photographic".
    stem = token[:max(5, len(token) - 3)] if len(token) >= 5 else None
    for word, codes in tree.word_index.items():
        if word == token:
            hit(codes, _EXACT_WORD)
        elif word.startswith(token):
            hit(codes, _WORD_START)
        elif stem is not None and word.startswith(stem):
            hit(codes, _STEM_HIT)
    for rank, code in enumerate(_alias_codes(token)):
        # The class and its ancestors, so that aliases also work above class level.
        hit((n.code for n in tree.path(code)), _ALIAS_HIT, rank)
    if len(token) >= 3:  # shorter fragments are inside almost every title
        hit((n.code for n in nodes if token in n.folded_title), _INSIDE)
    return found


def _query_tokens(query: str) -> list[str]:
    tokens = _tokens(query)
    joined = "".join(tokens)
    if len(tokens) > 1 and joined in ALIASES:  # "e-commerce", "co-working", "U.X."
        return [joined]
    return tokens


_TIER_OF_QUALITY = {_EXACT_WORD: TITLE_WORDS, _WORD_START: TITLE_WORDS, _ALIAS_HIT: ALIAS,
                    _STEM_HIT: STEM, _INSIDE: SUBSTRING}


def _text_matches(tree: IndustryTree, nodes: list[IndustryNode], tokens: list[str]
                  ) -> list[tuple[tuple[Any, ...], IndustryNode]]:
    per_token = [_token_matches(tree, nodes, token) for token in tokens]
    first = tokens[0]
    full = []
    for code in set.intersection(*(set(m) for m in per_token)):
        node = tree.nodes[code]
        qualities = [m[code][0] for m in per_token]
        tier = _TIER_OF_QUALITY[min(qualities)]
        alias_rank = min(m[code][1] for m in per_token) if tier == ALIAS else 0
        starts = 0 if node.words and node.words[0].startswith(first) else 1
        full.append(((tier, -sum(qualities), alias_rank, starts, len(node.words), node.order),
                     node))
    if full or len(tokens) == 1:
        return full
    # No node has every word: offer those with some telling words, rarer words first
    # ("web designer" → Web portals, Specialized design activities).
    partial = []
    useful = [(m, len(m)) for m, t in zip(per_token, tokens, strict=True) if t not in STOP_WORDS]
    for code in set().union(*(m for m, _ in useful)):
        hits = [(m[code][0], count) for m, count in useful
                if code in m and m[code][0] >= _STEM_HIT]
        if hits:
            node = tree.nodes[code]
            partial.append(((SOME_WORDS, -len(hits), sum(c for _, c in hits),
                             -sum(q for q, _ in hits), len(node.words), node.order), node))
    return partial


def _ranked(tree: IndustryTree, query: str, level: LevelFilter) -> list[IndustryNode]:
    nodes = tree.at_level(level)
    label = _LABEL_QUERY.match(query)
    if label:
        query = label.group(1)
    if _CODE_QUERY.fullmatch(query.lower()):
        matches = _code_matches(tree, nodes, query)
    else:
        tokens = _query_tokens(query)
        if not tokens:
            return []
        matches = _text_matches(tree, nodes, tokens)
    matches.sort(key=lambda pair: pair[0])
    return [node for _, node in matches]


def find_industries(session: Session, q: str | None, *, level: str = "class",
                    limit: int = 20, offset: int = 0) -> IndustryPage:
    """A page of the nodes matching `q`, best first, with the total count. An empty query lists
    every node of the level in the classification's order (a browsable list)."""
    query = check_query(q)
    chosen = _check_level(level)
    if not 1 <= limit <= SEARCH_MAX_LIMIT:
        raise ValidationFailed.single("limit", f"must be between 1 and {SEARCH_MAX_LIMIT}")
    if offset < 0:
        raise ValidationFailed.single("offset", "must not be negative")
    tree = industry_tree(session)
    matches = _ranked(tree, query, chosen) if query else tree.at_level(chosen)
    return IndustryPage(matches[offset:offset + limit], len(matches), offset, limit)


def search_industries(session: Session, q: str | None, limit: int = 20,
                      level: str = "class") -> list[IndustryNode]:
    """Nodes of `level` matching `q`, best first: exact code, code prefix ("74" → 74xx), title
    words ("design" → 7410 Specialized design activities), everyday aliases ("logistics"),
    word stems, then substrings. An empty query matches nothing; one over 100 characters is a
    ValidationFailed on `q`."""
    query = check_query(q)
    if not query:
        return []
    return find_industries(session, query, level=level, limit=limit).items


# -- the server-side industry picker ----------------------------------------------------------

PICKER_SEARCH_ACTION = "search_isic"
PICKER_LIMIT = 20


@dataclass(frozen=True)
class PickerOption:
    node: IndustryNode
    hint: str  # where it sits: "M Professional, … › 74 Other professional, …"
    checked: bool
    kept: bool = False  # the current choice, shown although the search did not find it


@dataclass(frozen=True)
class IndustryPicker:
    """Everything `templates/taxonomy/_industry_picker.html` shows. See that file's header."""

    field_name: str
    query_name: str
    action_name: str
    action_value: str
    query: str
    selected: IndustryNode | None
    options: list[PickerOption]
    searched: bool
    total: int
    query_error: str | None = None

    shown: int = 0  # how many of the `total` matches are among the options

    @property
    def more(self) -> int:
        """How many matches are not shown (the query should be narrowed)."""
        return self.total - self.shown


def _hint(tree: IndustryTree, node: IndustryNode) -> str:
    return " › ".join(f"{p.code} {p.title}" for p in tree.path(node.code)[:-1][:2])


def is_picker_search(form: Mapping[str, Any], action_name: str = "action",
                     action_value: str = PICKER_SEARCH_ACTION) -> bool:
    """Whether a submitted form was sent with the picker's Search button (re-render, don't
    save). `form` is anything with `.get` (Starlette's FormData, a dict)."""
    return bool(form.get(action_name) == action_value)


def picker_context(session: Session, query: str | None, selected_code: str | None, *,
                   field_name: str = "isic_class", query_name: str = "isic_q",
                   action_name: str = "action", action_value: str = PICKER_SEARCH_ACTION,
                   limit: int = PICKER_LIMIT) -> IndustryPicker:
    """What the picker include needs, as `picker` in the template context. Never raises: a bad
    query becomes `query_error`, an unknown selected code is simply not selected (the form's
    own validation reports it on `field_name`)."""
    tree = industry_tree(session)
    text = " ".join((query or "").split())
    selected = tree.get(selected_code) if selected_code else None
    if selected is not None and selected.level != IndustryLevel.class_:
        selected = None
    results: list[IndustryNode] = []
    total = 0
    error = None
    if len(text) > QUERY_MAX_LENGTH:
        error = f"Search with at most {QUERY_MAX_LENGTH} characters."
    elif text:
        ranked = _ranked(tree, text, "class")
        total = len(ranked)
        results = ranked[:limit]
        if not results:
            error = (f"No industry matches “{text}”. Try another word (e.g. “design”, "
                     "“bakery”, “software”) or a code such as 7410.")
    options = []
    if selected is not None and selected not in results:
        options.append(PickerOption(selected, _hint(tree, selected), True, kept=bool(text)))
    options.extend(PickerOption(n, _hint(tree, n), n == selected) for n in results)
    return IndustryPicker(
        field_name=field_name, query_name=query_name, action_name=action_name,
        action_value=action_value, query=text[:QUERY_MAX_LENGTH * 2], selected=selected,
        options=options, searched=bool(text), total=total, query_error=error,
        shown=len(results),
    )


# -- the process taxonomy ---------------------------------------------------------------------

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PROCESS_KEY_MAX = 50
DEPARTMENT_KEY_MAX = 40
PROCESS_NAME_MAX = 100
DEPARTMENT_NAME_MAX = 80
DESCRIPTION_MAX = 300
COMPLEXITIES = (1, 2, 3)
COMPLEXITY_NAMES = {
    1: "simple — a few days alongside someone who does it well",
    2: "moderate — a week or two of guided practice",
    3: "complex — several weeks, with a mentor and real responsibility",
}
# What each matrix level looks like in practice (the short names live in profiles.matrix).
LEVEL_DESCRIPTIONS = {
    0: "You do not do this, or someone outside the firm does it for you.",
    1: "It happens when someone finds time, differently each time, and results vary.",
    2: "The same people do it the same way most times, but little is written down.",
    3: "There is a written way of doing it that anyone in the team can follow.",
    4: "You track results with numbers and improve the process from them.",
    5: "You are known for it, get outstanding results and could teach it to another firm.",
}
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|no)\.", re.IGNORECASE)


@dataclass(frozen=True)
class DepartmentProcesses:
    department: Department
    processes: list[Process]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _key_problem(key: str, max_length: int, example: str) -> str | None:
    if not key:
        return f"must not be empty: lower-case words joined by underscores, e.g. {example}"
    if len(key) > max_length:
        return f"must be at most {max_length} characters"
    if not KEY_PATTERN.match(key):
        return (f"must be lower-case letters, digits and single underscores, starting with a "
                f"letter (snake_case), e.g. {example}")
    return None


def _name_problem(name: str, max_length: int) -> str | None:
    if len(name) < 2:
        return "must be at least 2 characters"
    if len(name) > max_length:
        return f"must be at most {max_length} characters"
    return None


def _description_problem(text: str) -> str | None:
    if not text:
        return "must not be empty: say in one sentence what the process is"
    if len(text) > DESCRIPTION_MAX:
        return f"must be at most {DESCRIPTION_MAX} characters (it has {len(text)})"
    if not text.endswith((".", "!", "?")):
        return "must be one sentence ending with a full stop"
    if re.search(r"[.!?]\s", _ABBREVIATIONS.sub("", text[:-1])):
        return "must be a single sentence"
    return None


def _complexity_problem(complexity: Any) -> str | None:
    if isinstance(complexity, bool) or complexity not in COMPLEXITIES:
        return "must be 1, 2 or 3"
    return None


def departments_with_processes(session: Session, *, include_retired: bool = False
                               ) -> list[DepartmentProcesses]:
    """Every department in its position order, each with its processes in theirs."""
    departments = session.exec(
        select(Department).order_by(col(Department.position), col(Department.id))
    ).all()
    query = select(Process).order_by(col(Process.position), col(Process.id))
    if not include_retired:
        query = query.where(col(Process.retired_at).is_(None))
    by_department: dict[int, list[Process]] = {}
    for process in session.exec(query).all():
        by_department.setdefault(process.department_id, []).append(process)
    return [DepartmentProcesses(d, by_department.get(d.id or 0, [])) for d in departments]


def department_keys(session: Session) -> dict[int, str]:
    return {d.id: d.key for d in session.exec(select(Department)).all() if d.id is not None}


def list_processes(session: Session, *, department: str | None = None,
                   include_retired: bool = False, limit: int = 50, offset: int = 0
                   ) -> tuple[list[Process], int]:
    """A page of processes in taxonomy order, and how many there are in all."""
    query = (select(Process).join(Department, col(Department.id) == col(Process.department_id))
             .order_by(col(Department.position), col(Department.id), col(Process.position),
                       col(Process.id)))
    if department:
        query = query.where(Department.key == department)
    if not include_retired:
        query = query.where(col(Process.retired_at).is_(None))
    everything = list(session.exec(query).all())  # ~100 rows: counting in Python is fine
    return everything[offset:offset + limit], len(everything)


def get_department(session: Session, key: str) -> Department:
    found = session.exec(select(Department).where(Department.key == key)).first()
    if found is None:
        raise NotFound(f"There is no department “{key[:60]}”.")
    return found


def get_process(session: Session, key: str) -> Process:
    found = session.exec(select(Process).where(Process.key == key)).first()
    if found is None:
        raise NotFound(f"There is no process “{key[:110]}”.")
    return found


def department_of(session: Session, process: Process) -> Department:
    department = session.get(Department, process.department_id)
    assert department is not None
    return department


def _siblings(session: Session, department: Department) -> Sequence[Process]:
    return session.exec(select(Process).where(Process.department_id == department.id)).all()


def _flush_unique(session: Session, field_name: str, message: str) -> None:
    """Flush inside a savepoint: a key taken by a concurrent request is a field error, not a
    500, and the rest of the transaction survives."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ValidationFailed.single(field_name, message) from None


def create_process(session: Session, *, department: str, key: str, name: str,
                   description: str, complexity: Any) -> Process:
    """Add a process at the end of its department. Every problem is reported at once, each on
    its field (department, key, name, description, complexity); nothing is stored on error."""
    errors: list[FieldError] = []
    department_key = (department or "").strip()
    found = session.exec(select(Department).where(Department.key == department_key)).first()
    if found is None:
        errors.append(FieldError(
            "department", f"no department “{department_key}”" if department_key
            else "choose a department"))
    key = (key or "").strip()
    if found is not None and key.startswith(f"{found.key}."):
        key = key.removeprefix(f"{found.key}.")  # the full key was typed: accept it
    name, description = _clean(name), _clean(description)
    problem = _key_problem(key, PROCESS_KEY_MAX, "content_marketing")
    full_key = f"{department_key}.{key}"
    if problem:
        errors.append(FieldError("key", problem))
    elif found is not None and session.exec(
        select(Process).where(Process.key == full_key)
    ).first() is not None:
        errors.append(FieldError(
            "key", f"{full_key} already exists (keys are never reused, even when retired)"))
    problem = _name_problem(name, PROCESS_NAME_MAX)
    if problem:
        errors.append(FieldError("name", problem))
    elif found is not None and any(p.name.casefold() == name.casefold()
                                   for p in _siblings(session, found)):
        errors.append(FieldError("name", f"{found.name} already has a process called “{name}”"))
    for field_name, problem_of in (("description", _description_problem(description)),
                                   ("complexity", _complexity_problem(complexity))):
        if problem_of:
            errors.append(FieldError(field_name, problem_of))
    if errors or found is None:
        raise ValidationFailed(errors)
    assert found.id is not None
    siblings = _siblings(session, found)
    now = utcnow()
    process = Process(
        key=full_key, department_id=found.id, name=name, description=description,
        complexity=int(complexity), position=max((p.position for p in siblings), default=-1) + 1,
        version=1, created_at=now, updated_at=now,
    )
    session.add(process)
    _flush_unique(session, "key", f"{full_key} already exists")
    return process


def update_process(session: Session, key: str, *, name: str | None = None,
                   description: str | None = None, complexity: Any = None) -> Process:
    """Change the wording or complexity of a process; its key never changes. The version goes up
    by one when something actually changed (saving the same text again is not a new version)."""
    process = get_process(session, key)
    department = department_of(session, process)
    errors: list[FieldError] = []
    changes: dict[str, Any] = {}
    if name is not None:
        name = _clean(name)
        problem = _name_problem(name, PROCESS_NAME_MAX)
        if problem is None and any(p.name.casefold() == name.casefold() and p.id != process.id
                                   for p in _siblings(session, department)):
            problem = f"{department.name} already has a process called “{name}”"
        if problem:
            errors.append(FieldError("name", problem))
        changes["name"] = name
    if description is not None:
        description = _clean(description)
        problem = _description_problem(description)
        if problem:
            errors.append(FieldError("description", problem))
        changes["description"] = description
    if complexity is not None:
        problem = _complexity_problem(complexity)
        if problem:
            errors.append(FieldError("complexity", problem))
        else:
            changes["complexity"] = int(complexity)
    if errors:
        raise ValidationFailed(errors)
    changed = {k: v for k, v in changes.items() if getattr(process, k) != v}
    if changed:
        for attribute, value in changed.items():
            setattr(process, attribute, value)
        process.version += 1
        process.updated_at = utcnow()
        session.add(process)
        session.flush()
    return process


def retire_process(session: Session, key: str) -> Process:
    """No longer offered for new matrix cells; existing cells stay readable. Retiring a retired
    process changes nothing."""
    process = get_process(session, key)
    if process.retired_at is None:
        now = utcnow()
        process.retired_at = now
        process.updated_at = now
        session.add(process)
        session.flush()
    return process


def restore_process(session: Session, key: str) -> Process:
    """Offer a retired process again (same key, same cells)."""
    process = get_process(session, key)
    if process.retired_at is not None:
        process.retired_at = None
        process.updated_at = utcnow()
        session.add(process)
        session.flush()
    return process


def create_department(session: Session, *, key: str, name: str, description: str
                      ) -> Department:
    errors: list[FieldError] = []
    key, name, description = (key or "").strip(), _clean(name), _clean(description)
    existing = session.exec(select(Department)).all()
    problem = _key_problem(key, DEPARTMENT_KEY_MAX, "customer_success")
    if problem is None and any(d.key == key for d in existing):
        problem = f"a department “{key}” already exists"
    if problem:
        errors.append(FieldError("key", problem))
    problem = _name_problem(name, DEPARTMENT_NAME_MAX)
    if problem is None and any(d.name.casefold() == name.casefold() for d in existing):
        problem = f"a department called “{name}” already exists"
    if problem:
        errors.append(FieldError("name", problem))
    problem = _description_problem(description)
    if problem:
        errors.append(FieldError("description", problem.replace("the process", "the department")))
    if errors:
        raise ValidationFailed(errors)
    department = Department(key=key, name=name, description=description,
                            position=max((d.position for d in existing), default=-1) + 1)
    session.add(department)
    _flush_unique(session, "key", f"a department “{key}” already exists")
    return department


def update_department(session: Session, key: str, *, name: str | None = None,
                      description: str | None = None) -> Department:
    """Rename or re-describe a department; its key (the prefix of its processes' keys) stays."""
    department = get_department(session, key)
    errors: list[FieldError] = []
    if name is not None:
        name = _clean(name)
        problem = _name_problem(name, DEPARTMENT_NAME_MAX)
        if problem is None and any(d.name.casefold() == name.casefold()
                                   and d.id != department.id
                                   for d in session.exec(select(Department)).all()):
            problem = f"a department called “{name}” already exists"
        if problem:
            errors.append(FieldError("name", problem))
    if description is not None:
        description = _clean(description)
        problem = _description_problem(description)
        if problem:
            errors.append(FieldError("description",
                                     problem.replace("the process", "the department")))
    if errors:
        raise ValidationFailed(errors)
    if name is not None:
        department.name = name
    if description is not None:
        department.description = description
    session.add(department)
    session.flush()
    return department
