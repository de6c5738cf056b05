"""Planning a drill: every request of every process at every port, with its expected answer.

A plan is made before anything is sent, from the catalogue, the population and the rules only:

1. each selected process runs at each of its ports that is selected (goods processes at the
   seven seaports, travellers' at the three airports), with entities cast for that run
   (:class:`~sim.drill.cast.Casting`);
2. a run opens with its *set-up*: each entity registered, and its population credit history
   posted event by event (by the event's department);
3. then the process's steps, each filled in (:func:`~sim.drill.operations.build_request`) and
   decided by the oracle's platform (:class:`~sim.drill.expected.ExpectedPlatform`) in order.

Because expectations never depend on what a platform answers, the same plan checks any
platform, and a test can plan the same drill under two rule sets and know, before running
anything, exactly which steps a changed rule touches. Every write carries an idempotency key
fixed by the seed, the process, the port, the run's entities and the step, so a retried step is
applied once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Literal

from sim.drill.cast import Casting, CastMember
from sim.drill.catalogue import CatalogueError, Process, StepSpec
from sim.drill.expected import Expectation, ExpectedPlatform
from sim.drill.operations import (
    DRILL_OPERATIONS,
    NOT_SUPPORTED,
    DrillOperation,
    Request,
    RunContext,
    build_request,
)
from sim.population import Population
from sim.results.goods import book_id
from sim.rules.config import RulesConfig

__all__ = ["DrillPlan", "PlannedStep", "RunPlan", "plan_drill"]

Phase = Literal["setup", "step"]


@dataclass(frozen=True)
class PlannedStep:
    """One request of a run, ready to send, and what it must be answered.

    Attributes:
        process: the process id; ``port`` the port of the run; ``index`` the step's position
            in the run; ``name`` its name; ``phase`` ``setup`` or ``step``.
        operation: the API operation (or the unsupported one).
        actor_role: who sends it (``admin``, ``officer``, ``enterprise``, ``department``);
            ``actor_entity`` the enterprise or department it speaks for.
        request: the request (None for an unsupported step).
        idempotency_key: the key of a write (None for a read).
        expected: the oracle's answer (None for an unsupported step).
        depends_on: the index of the step whose answer's ``id`` fills the path's
            :data:`~sim.drill.operations.EARLIER_ID` (a declaration's, a transfer's), if any.
        unsupported: why the platform API cannot do this step ('' when it can).
    """

    process: str
    port: str
    index: int
    name: str
    phase: Phase
    operation: str
    actor_role: str
    actor_entity: str | None
    request: Request | None
    idempotency_key: str | None
    expected: Expectation | None
    depends_on: int | None = None
    unsupported: str = ""

    @property
    def writes(self) -> bool:
        """Whether the step changes the platform's state (a POST)."""
        return self.request is not None and self.request.method == "POST"


@dataclass(frozen=True)
class RunPlan:
    """One process at one port: its entities and its steps."""

    process: Process
    port: str
    cast: Mapping[str, CastMember]
    steps: tuple[PlannedStep, ...]


@dataclass(frozen=True)
class DrillPlan:
    """A whole drill, planned.

    Attributes:
        runs: every process at every port, in the order they run.
        expected: the oracle's platform after every step (books, declarations) for the audit.
        seed: the seed the entities were cast with.
        rules: the rules the expectations come from (the platform is started with them).
    """

    runs: tuple[RunPlan, ...]
    expected: ExpectedPlatform
    seed: int
    rules: RulesConfig

    @property
    def processes(self) -> tuple[str, ...]:
        """The processes drilled, in order."""
        return tuple(dict.fromkeys(r.process.id for r in self.runs))

    @property
    def ports(self) -> tuple[str, ...]:
        """The ports drilled, in order of first use."""
        return tuple(dict.fromkeys(r.port for r in self.runs))

    def steps(self) -> Iterator[PlannedStep]:
        """Every step of every run, in the order sent."""
        for run in self.runs:
            yield from run.steps

    def entity_keys(self) -> set[str]:
        """The keys of every entity the drill registers."""
        return {m.key for run in self.runs for m in run.cast.values()}


class _RunBuilder:
    """Builds one run's steps against the shared oracle platform."""

    def __init__(self, process: Process, port: str, cast: Mapping[str, CastMember],
                 expected: ExpectedPlatform, seed: int) -> None:
        self.process, self.port, self.cast = process, port, cast
        self.expected, self.seed = expected, seed
        self.steps: list[PlannedStep] = []
        # The run's entities are in its keys: a drill casting other entities (another choice
        # of processes, the same seed) never meets the keys of an earlier one (422
        # idempotency_key_reused); the same drill again meets them and is told (the runner).
        self._cast_id = hashlib.sha256(
            ",".join(sorted(m.key for m in cast.values())).encode()).hexdigest()[:8]
        self._declared: dict[str, tuple[int, str]] = {}
        """Declare step name -> (its index in the run, the declaration's reference)."""
        self._transferred: dict[str, tuple[int, str]] = {}
        """Transfer step name -> (its index in the run, the oracle's key of the transfer)."""

    def _key(self) -> str:
        return f"drill-{self.seed}-{self.process.id}-{self.port}-{self._cast_id}-" \
            f"{len(self.steps):03d}"

    def _add(self, name: str, phase: Phase, operation: str, actor: tuple[str, str | None],
             request: Request | None, expected: Expectation | None, *,
             depends_on: int | None = None, unsupported: str = "") -> None:
        writes = request is not None and request.method == "POST"
        self.steps.append(PlannedStep(
            self.process.id, self.port, len(self.steps), name, phase, operation, actor[0],
            actor[1], request, self._key() if writes else None, expected, depends_on,
            unsupported))

    def setup(self) -> None:
        """Register each entity and post its population history."""
        for role, m in self.cast.items():
            body = {"id": m.key, "kind": m.kind, "code": m.key, "name": m.name,
                    "registered_in_hainan": m.hainan}
            self._add(f"register {role}", "setup", "register_entity", ("admin", None),
                      Request("POST", "/v1/entities", body, {}),
                      self.expected.register_entity(body))
            for i, event in enumerate(m.history, start=1):
                record = event.to_record()
                body = {k: record[k] for k in ("date", "event", "department", "grade")
                        if k in record}
                actor = ("department", event.department) if event.department else ("admin", None)
                self._add(f"history {role} {i}: {event.event}", "setup", "post_event", actor,
                          Request("POST", f"/v1/entities/{m.key}/events", body, {}),
                          self.expected.post_event(m.key, body))

    def step(self, spec: StepSpec) -> None:
        """Plan one catalogue step."""
        if spec.op in NOT_SUPPORTED:
            self._add(spec.name, "step", spec.op, ("enterprise", self.cast[spec.entity].key),
                      None, None, unsupported=NOT_SUPPORTED[spec.op])
            return
        op = DRILL_OPERATIONS[spec.op]
        member = self.cast[spec.entity]
        book = book_id(member.key)
        reference = f"{book}-{len(self._declared) + 1}" if op.name == "declare" else None
        depends_on, earlier = None, ""
        if spec.of is not None:
            depends_on, earlier = (self._declared.get(spec.of)
                                   or self._transferred[spec.of])
        ctx = RunContext(
            port=self.port, entity=member.key, book=book, on=self.process.date_of(spec),
            to_book=None if spec.to is None else book_id(self.cast[spec.to].key),
            reference=reference, entry=spec.entry,
        )
        business = self._business(op, spec, book, ctx.on)
        request = build_request(op, business, ctx)
        expected = self._expect(op, request, ctx, earlier)
        if op.name == "declare":
            self._declared[spec.name] = (len(self.steps), reference or "")
        if op.name == "transfer":
            self._transferred[spec.name] = (len(self.steps), expected.transfer or "")
        self._add(spec.name, "step", op.name, self._actor(op, member, request), request,
                  expected, depends_on=depends_on)

    def _business(self, op: DrillOperation, spec: StepSpec, book: str,
                  on: date | None) -> dict[str, Any]:
        """The catalogue's body, a ``value_added`` line turned into its price (on the step's
        date, as the goods leave)."""
        body = dict(spec.body)
        if op.name != "declare":
            return body
        assert on is not None  # a declaration is dated
        lines = []
        for line in body.get("lines", []):
            if "value_added" in line:
                inputs = self.expected.inputs_of(book, line["item"], line["qty"], on)
                if inputs is None:
                    raise CatalogueError(
                        f"{self.process.source}: process {self.process.id}, step "
                        f"{spec.name!r}: body.lines: value_added needs {line['qty']} units of "
                        f"{line['item']!r} that may leave the book on {on.isoformat()}, and the "
                        "oracle's book has none such (not held, or entered later)")
                ratio = Fraction(str(line["value_added"]))
                line = {k: v for k, v in line.items() if k != "value_added"}
                line["price_fen"] = ExpectedPlatform.price_for(inputs, ratio)
            lines.append(line)
        body["lines"] = lines
        return body

    @staticmethod
    def _actor(op: DrillOperation, member: CastMember, request: Request) -> tuple[str, str | None]:
        if op.actor == "self":
            return "enterprise", member.key
        if op.actor == "department":
            department = (request.body or {}).get("department")
            return ("department", department) if department else ("admin", None)
        return op.actor, None

    def _expect(self, op: DrillOperation, request: Request, ctx: RunContext,
                earlier: str) -> Expectation:
        """The oracle's answer; ``earlier`` is the declaration's reference or the transfer's
        key the step names (``of:``)."""
        x, body, name = self.expected, request.body or {}, op.name
        on = ctx.on
        if name == "post_event":
            return x.post_event(ctx.entity, body)
        if name == "get_tier":
            assert on is not None
            return x.get_tier(ctx.entity, on)
        if name == "get_entity":
            return x.get_entity(ctx.entity)
        if name == "file_qualification":
            return x.file_qualification(body)
        if name == "file_book":
            return x.file_book(body)
        if name == "get_book":
            return x.get_book(ctx.book)
        if name in ("accept_transfer", "reject_transfer", "withdraw_transfer"):
            return x.decide_transfer(name, earlier, ctx.entity, body)
        if name in ("first_line_entry", "book_entry", "settle_entry", "purchase", "transfer",
                    "process"):
            return x.book_operation(name, ctx.book, {"entry_id": ctx.entry or ""}, body)
        if name == "declare":
            return x.declare(body)
        if name == "get_declaration":
            return x.get_declaration(earlier)
        if name == "record_inspection":
            return x.record_inspection(earlier, body)
        if name == "departure_check":
            return x.departure_check(ctx.entity, body)
        if name == "batch_exit_status":
            return x.batch_operation(name, ctx.book, {"on": request.query["on"]})
        if name == "file_batch_list":
            return x.batch_operation(name, body["book"], body)
        return x.batch_operation(name, ctx.book, body)


def plan_drill(
    processes: Sequence[Process],
    population: Population,
    rules: RulesConfig,
    *,
    ports: Sequence[str] | None = None,
    seed: int = 0,
    exclude: Sequence[str] = (),
) -> DrillPlan:
    """Plan ``processes`` at their ports (those in ``ports`` only, when given).

    Args:
        processes: the processes, in the order to run them.
        population: where the entities come from.
        rules: the rules' configuration (the platform under test must be started with it).
        ports: the ports to drill (default: every port each process runs at).
        seed: orders the casting of entities; fixes the idempotency keys.
        exclude: entity keys already in use on the platform.

    Raises:
        CastError: the population has too few entities of some profile.
        CatalogueError: a step the oracle's book cannot price (``value_added``).
    """
    expected = ExpectedPlatform(rules)
    casting = Casting(population, rules, seed, exclude)
    runs: list[RunPlan] = []
    for process in processes:
        for port in process.ports:
            if ports is not None and port not in ports:
                continue
            cast = casting.cast(process, port)
            builder = _RunBuilder(process, port, cast, expected, seed)
            builder.setup()
            for spec in process.steps:
                builder.step(spec)
            runs.append(RunPlan(process, port, cast, tuple(builder.steps)))
    return DrillPlan(tuple(runs), expected, seed, rules)

