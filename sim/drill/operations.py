"""What a drill step may call, and how its request is filled in from the run it belongs to.

A catalogue step names a platform operation (:mod:`sim.api.operations`) and gives only the
business facts of its request: the goods, the quantities, the prices, the event. Everything that
identifies *who*, *where* and *when* comes from the run: the step's entity (a synthetic entity
of the population chosen for the process at this port), its account book, the port the process
runs at, the step's date, the declaration an earlier step filed or the transfer it asked for
(named by ``of:``; its id is known once that step is answered). :data:`DRILL_OPERATIONS` says,
per operation, who sends it (the entity itself, an officer, the department of the event, the
admin), which kind of entity it is about, where the date goes, and which request fields and
path parameters the drill fills; :func:`build_request` fills them. A catalogue that sets a field
the drill fills is refused, so each fact has one home.

Operations whose answer depends on the whole platform (a tier's members, a department's feed,
the list of a book's declarations) are not drillable: a drill shares the platform with others.
:data:`NOT_SUPPORTED` names the processes the platform API has no operation for (a zero-tariff
vehicle leaving the island): a step calling one is reported "not supported", which is not a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sim.api.operations import Operation, operation

__all__ = [
    "DRILL_OPERATIONS",
    "EARLIER_ID",
    "NOT_SUPPORTED",
    "DrillOperation",
    "Request",
    "RunContext",
    "build_request",
]

Actor = Literal["self", "officer", "admin", "department"]
Subject = Literal["enterprise", "individual", "any"]
Fill = Literal["entity", "book", "port", "reference", "to_book", "id"]
PathSource = Literal["entity", "book", "entry", "declaration", "transfer"]

_EARLIER_OP: dict[PathSource, str] = {"declaration": "declare", "transfer": "transfer"}
"""Path sources filled from the answer of an earlier step (``of:``), and that step's operation."""

EARLIER_ID = "{of}"
"""The placeholder of a path segment filled with the ``id`` of an earlier step's answer."""


@dataclass(frozen=True)
class DrillOperation:
    """How a step of one operation is sent.

    Attributes:
        name: the operation's name in :mod:`sim.api.operations`.
        actor: who sends it: ``self`` (the step's enterprise), ``officer``, ``admin``, or
            ``department`` (the event's department; the admin for an event of none); ``self``
            decides a pending transfer too (the receiver accepts or rejects, the sender
            withdraws), so the catalogue names the right enterprise as the step's entity.
        subject: the kind of entity the step is about.
        date: where the step's date goes: ``(body|query, field)``; None: the step has none.
        fills: request fields the drill fills (``entity``: the entity's key, ``book``: its
            book, ``port``, ``reference``: a declaration reference unique to the step,
            ``to_book``: the book of the step's ``to`` entity, ``id``: the book being filed).
        path: path parameter -> what fills it.
    """

    name: str
    actor: Actor
    subject: Subject
    date: tuple[Literal["body", "query"], str] | None
    fills: Mapping[str, Fill] = field(default_factory=dict)
    path: Mapping[str, PathSource] = field(default_factory=dict)

    @property
    def contract(self) -> Operation[Any]:
        """The operation of the API contract."""
        return operation(self.name)

    @property
    def needs_entry(self) -> bool:
        """Whether the step names a first-line entry (``entry:``)."""
        return "entry" in self.path.values()

    @property
    def of_operation(self) -> str | None:
        """The operation of the earlier step the step names (``of:``) and whose answer's id its
        path takes: ``declare`` (a declaration), ``transfer`` (a transfer); None: no such step."""
        for source in self.path.values():
            if source in _EARLIER_OP:
                return _EARLIER_OP[source]
        return None


def _op(name: str, actor: Actor, subject: Subject,
        date: tuple[Literal["body", "query"], str] | None,
        fills: Mapping[str, Fill] | None = None,
        path: Mapping[str, Any] | None = None) -> DrillOperation:
    return DrillOperation(name, actor, subject, date, dict(fills or {}), dict(path or {}))


_BOOK: dict[str, PathSource] = {"book_id": "book"}
DRILL_OPERATIONS: dict[str, DrillOperation] = {op.name: op for op in (
    _op("post_event", "department", "any", ("body", "date"), path={"entity_id": "entity"}),
    _op("get_tier", "officer", "any", ("query", "as_of"), path={"entity_id": "entity"}),
    _op("get_entity", "officer", "any", None, path={"entity_id": "entity"}),
    _op("file_qualification", "self", "enterprise", ("body", "on"), {"entity": "entity"}),
    _op("file_book", "self", "enterprise", ("body", "on"), {"id": "book", "entity": "entity"}),
    _op("get_book", "self", "enterprise", None, path=_BOOK),
    _op("first_line_entry", "self", "enterprise", ("body", "released"), path=_BOOK),
    _op("book_entry", "self", "enterprise", ("body", "on"),
        path={"book_id": "book", "entry_id": "entry"}),
    _op("settle_entry", "self", "enterprise", ("body", "on"),
        path={"book_id": "book", "entry_id": "entry"}),
    _op("purchase", "self", "enterprise", ("body", "on"), path=_BOOK),
    _op("transfer", "self", "enterprise", ("body", "on"), {"to_book": "to_book"}, path=_BOOK),
    _op("process", "self", "enterprise", ("body", "on"), path=_BOOK),
    _op("accept_transfer", "self", "enterprise", ("body", "on"), path={"transfer_id": "transfer"}),
    _op("reject_transfer", "self", "enterprise", ("body", "on"), path={"transfer_id": "transfer"}),
    _op("withdraw_transfer", "self", "enterprise", ("body", "on"),
        path={"transfer_id": "transfer"}),
    _op("declare", "self", "enterprise", ("body", "date"),
        {"book": "book", "port": "port", "reference": "reference"}),
    _op("get_declaration", "self", "enterprise", None, path={"declaration_id": "declaration"}),
    _op("record_inspection", "officer", "enterprise", ("body", "on"),
        path={"declaration_id": "declaration"}),
    _op("admit_batch_exit", "self", "enterprise", ("body", "on"), path=_BOOK),
    _op("suspend_batch_exit", "officer", "enterprise", ("body", "on"), path=_BOOK),
    _op("reinstate_batch_exit", "self", "enterprise", ("body", "on"), path=_BOOK),
    _op("batch_exit_status", "self", "enterprise", ("query", "on"), path=_BOOK),
    _op("file_batch_list", "self", "enterprise", ("body", "on"), {"book": "book", "port": "port"}),
    _op("consolidate", "self", "enterprise", ("body", "on"), path=_BOOK),
    _op("departure_check", "officer", "individual", ("body", "date"), {"port": "port"},
        path={"traveller_id": "entity"}),
)}
"""Every operation a catalogue step may call (see the module docstring)."""

NOT_SUPPORTED: dict[str, str] = {
    "vehicle_exit": "a zero-tariff vehicle leaving for the mainland: the platform API has no "
    "operation for vehicles (a zero-tariff vehicle declares at the second line)",
}
"""Processes a drill names that the platform API has no operation for, and why."""


@dataclass(frozen=True)
class RunContext:
    """What fills a step's request in one run of a process at one port.

    Attributes:
        port: the port the process runs at.
        entity: the step's entity key; ``book`` its account book.
        to_book: the book of the step's ``to`` entity, if any.
        on: the step's date (None for undated operations).
        reference: the declaration reference of this step (``declare``).
        entry: the first-line entry the step names.
        earlier: the id of the declaration or transfer the step names (``of:``): a placeholder
            until the earlier step is answered.
    """

    port: str
    entity: str
    book: str
    on: date | None = None
    to_book: str | None = None
    reference: str | None = None
    entry: str | None = None
    earlier: str = EARLIER_ID


@dataclass(frozen=True)
class Request:
    """A step's request, filled in: method, path, body and query parameters."""

    method: str
    path: str
    body: dict[str, Any] | None
    query: dict[str, str]


def build_request(op: DrillOperation, business: Mapping[str, Any], ctx: RunContext) -> Request:
    """Fill ``business`` (the catalogue's request fields) in with the run's facts.

    Args:
        op: the operation.
        business: the request fields the catalogue gives.
        ctx: the run's facts for this step.

    Returns:
        The request; its body is None for a read.
    """
    values: dict[str, Any] = {
        "entity": ctx.entity, "book": ctx.book, "port": ctx.port, "reference": ctx.reference,
        "to_book": ctx.to_book, "id": ctx.book, "entry": ctx.entry,
    }
    contract = op.contract
    body: dict[str, Any] | None = None
    query: dict[str, str] = {}
    if contract.body is not None:
        body = dict(business)
        for name, source in op.fills.items():
            if values[source] is not None:
                body[name] = values[source]
    if op.date is not None and ctx.on is not None:
        where, name = op.date
        if where == "body":
            assert body is not None
            body[name] = ctx.on.isoformat()
        else:
            query[name] = ctx.on.isoformat()
    earlier = [name for name, source in op.path.items() if source in _EARLIER_OP]
    if earlier:  # filled once the earlier step is answered: not percent-encoded now
        path = contract.path.replace("{" + earlier[0] + "}", ctx.earlier)
    else:
        path = contract.url_path({name: values[source] for name, source in op.path.items()})
    return Request(contract.method, path, body, query)
