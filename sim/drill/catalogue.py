"""The drill catalogue: business processes as data (``scenarios/drills/*.yaml``), checked.

A catalogue file holds ``processes`` and, optionally, ``fragments`` (step sequences a process
includes, e.g. "qualification, account book, goods imported and booked")::

    processes:
      full_process:
        title: qualification -> book -> import -> booking -> transfer -> processing -> exit
        ports: seaports                 # seaports (goods), airports (travellers), or a list
        start: 2026-01-05               # day 0 of the process
        roles:                          # synthetic entities of the population, by profile
          maker: {kind: enterprise, hainan: true, zero_tariff: true, encouraged: true}
        steps:
          - {name: qualification filing, op: file_qualification, entity: maker, day: 0,
             body: {encouraged: true}}
          - {name: late booking, op: book_entry, entity: maker, day: 16, entry: IN2}
          - {include: stocked_book, entity: partner}

A step names an operation of the platform API (:data:`~sim.drill.operations.DRILL_OPERATIONS`,
or one the API lacks, :data:`~sim.drill.operations.NOT_SUPPORTED`), the entity it is about
(a role), its date (``day`` after the start, or an absolute ``date``) and the request's business
fields (``body``); the drill fills in who, where and when. A step about an earlier one names
it with ``of``: an inspection result or a read its ``declare`` step, an acceptance, rejection
or withdrawal its ``transfer`` step (whose answer's id the path takes). A declaration line may give
``value_added: "0.300"`` instead of a price: the lowest whole-fen price reaching that value
added over the inputs the goods carry. **No step states its expected answer**: that is the
oracle's (:mod:`sim.drill.expected`).

Every mistake is one :class:`CatalogueError` line naming the file, the process, the step and
the field: ``scenarios/drills/goods.yaml: process full_process, step 6 ('late booking'):
entry: no first-line entry IN9 is filed earlier in the process``. Each step's body is checked
against the operation's request model of the API contract with the run's fields filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.drill.catalogue_schema import (
    CatalogueError,
    FileDoc,
    IncludeSpec,
    ProcessDoc,
    RoleSpec,
    StepSpec,
    error_line,
    first_error,
)
from sim.drill.operations import DRILL_OPERATIONS, NOT_SUPPORTED, RunContext, build_request
from sim.rules.ports import PORTS

__all__ = [
    "PORT_GROUPS",
    "Catalogue",
    "CatalogueError",
    "Process",
    "RoleSpec",
    "StepSpec",
    "catalogue_files",
    "default_catalogue",
    "load_catalogue",
]

PORT_GROUPS: dict[str, tuple[str, ...]] = {
    "seaports": tuple(p.id for p in PORTS if p.kind != "airport"),
    "airports": tuple(p.id for p in PORTS if p.kind == "airport"),
}
"""Where processes run: goods leave through the seven seaports (the two strait ro-ro ports
included), travellers through the three airports."""


@dataclass(frozen=True)
class Process:
    """A process ready to plan: its steps expanded (fragments included), each checked.

    Attributes:
        id: the process's key.
        title: one line for tables and reports.
        description: more words, for the reader.
        ports: the ports it runs at.
        start: day 0.
        roles: role -> profile.
        steps: the steps in order.
        source: the catalogue file it came from.
    """

    id: str
    title: str
    description: str
    ports: tuple[str, ...]
    start: dt.date
    roles: Mapping[str, RoleSpec]
    steps: tuple[StepSpec, ...]
    source: str

    def date_of(self, step: StepSpec) -> dt.date | None:
        """The step's date: its ``date``, or ``day`` days after the start."""
        if step.date is not None:
            return step.date
        return None if step.day is None else self.start + dt.timedelta(days=step.day)


@dataclass(frozen=True)
class Catalogue:
    """Every process of the catalogue files read, by id, in file order."""

    processes: Mapping[str, Process]
    files: tuple[str, ...]

    def select(self, ids: Iterable[str] | None) -> list[Process]:
        """The processes named (all when None), in catalogue order.

        Raises:
            CatalogueError: naming an unknown process and the known ones.
        """
        if ids is None:
            return list(self.processes.values())
        wanted = list(dict.fromkeys(ids))
        for pid in wanted:
            if pid not in self.processes:
                known = ", ".join(self.processes)
                raise CatalogueError(f"--processes: unknown process {pid!r} (one of {known})")
        return [p for pid, p in self.processes.items() if pid in wanted]



def _read(path: Path) -> FileDoc:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise CatalogueError(f"{path}: not valid YAML{at}: {problem}") from None
    if not isinstance(raw, dict):
        raise CatalogueError(f"{path}: expected a mapping with processes: and fragments:")
    try:
        return FileDoc.model_validate(raw)
    except ValidationError as exc:
        where, message, value = first_error(exc)
        raise CatalogueError(error_line(str(path), where, "", message, value)) from None


def _expand(
    steps: list[dict[str, Any]], fragments: Mapping[str, list[dict[str, Any]]], where: str,
    source: str,
) -> list[tuple[str, dict[str, Any]]]:
    """Steps with each ``include`` replaced by its fragment's steps for that entity."""
    out: list[tuple[str, dict[str, Any]]] = []
    for n, raw in enumerate(steps, start=1):
        label = f"{where}, step {n}"
        if not isinstance(raw, dict):
            raise CatalogueError(f"{source}: {label}: a step is a mapping (got {raw!r})")
        if "include" not in raw:
            out.append((label, raw))
            continue
        try:
            inc = IncludeSpec.model_validate(raw)
        except ValidationError as exc:
            field, message, value = first_error(exc)
            raise CatalogueError(error_line(source, label, field, message, value)) from None
        if inc.include not in fragments:
            known = ", ".join(fragments) or "none"
            raise CatalogueError(error_line(source, label, "include", f"no such fragment (known: "
                                       f"{known})", inc.include))
        for m, step in enumerate(fragments[inc.include], start=1):
            if not isinstance(step, dict) or "include" in step or "entity" in step:
                raise CatalogueError(error_line(source, f"fragment {inc.include}, step {m}", "",
                                           "a fragment step is a mapping without entity: or "
                                           "include:"))
            name = f"{step.get('name', '')} ({inc.entity})"
            out.append((f"{label} ({inc.include} step {m})",
                        {**step, "name": name, "entity": inc.entity}))
    return out


def _check_step(
    spec: StepSpec, process: ProcessDoc, label: str, source: str, seen: Mapping[str, str],
    entries: set[str],
) -> None:
    def fail(field: str, message: str, value: Any = None) -> CatalogueError:
        return CatalogueError(error_line(source, label, field, message, value))

    if spec.entity not in process.roles:
        raise fail("entity", f"no such role (roles: {', '.join(process.roles)})", spec.entity)
    role = process.roles[spec.entity]
    if spec.name in seen:
        raise fail("name", "another step of the process has this name", spec.name)
    if spec.day is not None and spec.date is not None:
        raise fail("date", "give day or date, not both")
    if spec.op in NOT_SUPPORTED:
        return
    op = DRILL_OPERATIONS[spec.op]
    if op.subject != "any" and op.subject != role.kind:
        raise fail("entity", f"{spec.op} is about an {op.subject}, {spec.entity} is an "
                   f"{role.kind}")
    if op.date is not None and spec.day is None and spec.date is None:
        raise fail("day", f"{spec.op} is dated: give day (after the start) or date")
    if op.needs_entry != (spec.entry is not None):
        raise fail("entry", f"{spec.op} needs the first-line entry it is about" if op.needs_entry
                   else f"{spec.op} takes no entry")
    if spec.entry is not None and spec.entry not in entries:
        raise fail("entry", "no first-line entry of that id is filed earlier in the process",
                   spec.entry)
    earlier = op.of_operation
    if (earlier is not None) != (spec.of is not None):
        raise fail("of", f"{spec.op} takes no of" if earlier is None else
                   f"{spec.op} needs of: the {earlier} step it is about")
    if spec.of is not None and seen.get(spec.of) != earlier:
        raise fail("of", f"no earlier {earlier} step has that name", spec.of)
    if spec.to is not None:
        if spec.op != "transfer":
            raise fail("to", "only a transfer has a receiving book")
        if process.roles.get(spec.to, None) is None or process.roles[spec.to].kind != "enterprise":
            raise fail("to", "no such enterprise role", spec.to)
    filled = [name for name in op.fills if name in spec.body]
    if op.date is not None and op.date[0] == "body" and op.date[1] in spec.body:
        filled.append(op.date[1])
    if filled:
        raise fail(f"body.{filled[0]}", "filled in by the drill from the run (the entity, its "
                   "book, the port, the step's date); leave it out")
    _check_body(spec, op.name, fail)


def _check_body(spec: StepSpec, op_name: str, fail: Any) -> None:
    """Validate the body against the API contract with dummy run facts filled in."""
    op = DRILL_OPERATIONS[op_name]
    body = dict(spec.body)
    if op_name == "declare" and isinstance(body.get("lines"), list):
        lines = []
        for i, line in enumerate(body["lines"]):
            if isinstance(line, dict) and "value_added" in line:
                if "price_fen" in line:
                    raise fail(f"body.lines.{i}.value_added", "give value_added or price_fen, "
                               "not both")
                try:
                    ratio = Fraction(str(line["value_added"]))
                except (ValueError, ZeroDivisionError):
                    raise fail(f"body.lines.{i}.value_added", "not a decimal ratio like "
                               "\"0.300\"", line["value_added"]) from None
                if ratio < -1:
                    raise fail(f"body.lines.{i}.value_added", "below -1", line["value_added"])
                line = {k: v for k, v in line.items() if k != "value_added"} | {"price_fen": 0}
            lines.append(line)
        body["lines"] = lines
    ctx = RunContext(port="xinhai", entity="E0", book="B0", on=dt.date(2026, 1, 1),
                     to_book="B1", reference="R0", entry=spec.entry or "IN0", earlier="1")
    request = build_request(op, body, ctx)
    model = op.contract.body
    if model is None:
        if spec.body:
            raise fail("body", f"{op_name} takes no body", spec.body)
        return
    try:
        model.model_validate(request.body)
    except ValidationError as exc:
        field, message, value = first_error(exc)
        raise fail(f"body.{field}", message, value) from None


def _process(pid: str, doc: ProcessDoc, fragments: Mapping[str, list[dict[str, Any]]],
             source: str) -> Process:
    where = f"process {pid}"
    seen: dict[str, str] = {}
    entries: set[str] = set()
    steps: list[StepSpec] = []
    for label, raw in _expand(doc.steps, fragments, where, source):
        named = f"{label} ({raw['name']!r})" if isinstance(raw.get("name"), str) else label
        try:
            spec = StepSpec.model_validate(raw)
        except ValidationError as exc:
            field, message, value = first_error(exc)
            raise CatalogueError(error_line(source, named, field, message, value)) from None
        _check_step(spec, doc, named, source, seen, entries)
        seen[spec.name] = spec.op
        if spec.op == "first_line_entry":
            entries.add(str(spec.body["entry_id"]))
        steps.append(spec)
    ports = PORT_GROUPS[doc.ports] if isinstance(doc.ports, str) else tuple(doc.ports)
    return Process(pid, doc.title, doc.description, ports, doc.start, dict(doc.roles),
                   tuple(steps), source)


def default_catalogue() -> Path:
    """The catalogue a drill reads when none is named: ``scenarios/drills`` of the working
    directory, or else of the source tree the harness runs from."""
    here = Path("scenarios") / "drills"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "scenarios" / "drills"


def catalogue_files(location: Path) -> list[Path]:
    """The catalogue files at ``location``: the file itself, or a directory's ``*.yaml``.

    Raises:
        CatalogueError: nothing there.
    """
    if location.is_dir():
        files = sorted([*location.glob("*.yaml"), *location.glob("*.yml")])
        if not files:
            raise CatalogueError(f"{location}: no *.yaml drill catalogue files there")
        return files
    if not location.exists():
        raise CatalogueError(f"{location}: no such file or directory")
    return [location]


def load_catalogue(locations: Iterable[Path]) -> Catalogue:
    """Read and check catalogue files (or directories of them).

    Fragments are shared by all the files read; process ids are unique across them.

    Raises:
        CatalogueError: the first mistake, as one line.
    """
    files = [f for loc in locations for f in catalogue_files(Path(loc))]
    docs = [(str(f), _read(f)) for f in files]
    fragments: dict[str, list[dict[str, Any]]] = {}
    for source, doc in docs:
        for name, steps in doc.fragments.items():
            if name in fragments:
                raise CatalogueError(f"{source}: fragments.{name}: defined in another file too")
            fragments[name] = steps
    processes: dict[str, Process] = {}
    for source, doc in docs:
        for pid, spec in doc.processes.items():
            if pid in processes:
                raise CatalogueError(f"{source}: processes.{pid}: defined in "
                                     f"{processes[pid].source} too")
            processes[pid] = _process(pid, spec, fragments, source)
    if not processes:
        raise CatalogueError(f"{', '.join(str(f) for f in files)}: no processes")
    return Catalogue(processes, tuple(str(f) for f in files))
