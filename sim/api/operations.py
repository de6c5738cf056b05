"""The operations of the platform API, as one table: name, method, path, body, answer, status.

Each :class:`Operation` names one endpoint the way every part of the harness refers to it: the
typed client sends it, the workload records it (its ``operation`` column), the replay and the
drills compare answers with its answer model. The table is checked against the reference
platform's ``/openapi.json`` (same paths, methods, bodies, answers and success statuses), so the
contract cannot drift from the service.

Paths are templates in the OpenAPI style (``/v1/books/{book_id}``); :meth:`Operation.url_path`
fills them in, and :func:`find_operation` tells which operation a recorded request is a call
of (a workload names *business* operations, e.g. an island sale and a transfer between books,
that are calls of one endpoint). Query parameters are named in ``query``; their types and
defaults are the platform's (the client sends only what the caller gives).
"""

from __future__ import annotations

import re
import string
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, TypeAdapter

from sim.api.audit import AuditPage
from sim.api.batch_exit import (
    BatchExitStatus,
    ConsolidatedIn,
    ConsolidatedOut,
    ReinstateIn,
    ShipmentIn,
    ShipmentOut,
    SuspendIn,
)
from sim.api.books import (
    BookIn,
    BookOut,
    EntryIn,
    EntryOut,
    ProcessingIn,
    ProcessingOut,
    PurchaseIn,
    PurchaseOut,
    QualificationIn,
    QualificationOut,
    TransferDecisionIn,
    TransferIn,
    TransferOut,
)
from sim.api.common import OnIn
from sim.api.credit import EventIn, EventOut, TierMembers, TierOut
from sim.api.declarations import DeclarationIn, DeclarationOut, InspectionIn, InspectionRecord
from sim.api.entities import EntityIn, EntityOut
from sim.api.health import Health
from sim.api.notifications import NotificationFeed
from sim.api.tokens import RevocationIn, TokenIn, TokenInfo, TokenOut
from sim.api.travellers import DepartureCheckIn, DepartureCheckOut

__all__ = [
    "ACCEPT_TRANSFER",
    "ADMIT_BATCH_EXIT",
    "AUDIT_TRAIL",
    "BATCH_EXIT_STATUS",
    "BOOK_ENTRY",
    "CONSOLIDATE",
    "DECLARE",
    "DEPARTURE_CHECK",
    "FILE_BATCH_LIST",
    "FILE_BOOK",
    "FILE_QUALIFICATION",
    "FIRST_LINE_ENTRY",
    "GET_BOOK",
    "GET_DECLARATION",
    "GET_ENTITY",
    "GET_TIER",
    "GET_TRANSFER",
    "HEALTH",
    "ISSUE_TOKEN",
    "LIST_DECLARATIONS",
    "LIST_INSPECTIONS",
    "LIST_TRANSFERS",
    "NOTIFICATIONS",
    "OPERATIONS",
    "POST_EVENT",
    "PROCESS",
    "PURCHASE",
    "RECORD_INSPECTION",
    "REGISTER_ENTITY",
    "REINSTATE_BATCH_EXIT",
    "REJECT_TRANSFER",
    "REVOKE_TOKEN",
    "SETTLE_ENTRY",
    "SUSPEND_BATCH_EXIT",
    "TIER_MEMBERS",
    "TRANSFER",
    "WITHDRAW_TRANSFER",
    "Operation",
    "find_operation",
    "operation",
]

AnswerT = TypeVar("AnswerT")
Method = Literal["GET", "POST"]


@dataclass(frozen=True, eq=False)
class Operation(Generic[AnswerT]):
    """One endpoint of the platform API.

    Attributes:
        name: The operation's stable name (``declare``, ``get_book`` ...).
        method: ``GET`` (reads) or ``POST`` (writes: each takes an ``Idempotency-Key``).
        path: The path template, e.g. ``/v1/books/{book_id}/entries``.
        body: The request body's model, or None (reads).
        answer: Validates (and types) the success answer's body.
        status: The success status (200 for reads, 201 for writes).
        query: The names of the query parameters.
        auth: Whether a bearer token is needed (all but ``/healthz``).
    """

    name: str
    method: Method
    path: str
    body: type[BaseModel] | None
    answer: TypeAdapter[AnswerT]
    status: int
    query: tuple[str, ...] = ()
    auth: bool = True
    path_params: tuple[str, ...] = field(init=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = tuple(f for _, f, _, _ in string.Formatter().parse(self.path) if f)
        object.__setattr__(self, "path_params", names)
        pattern = re.escape(self.path)
        for name in names:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
        object.__setattr__(self, "_pattern", re.compile(pattern))

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters if ``method path`` is a call of this operation, else None.

        Args:
            method: The HTTP method (any case).
            path: A request path, percent-encoded, with or without a query string.
        """
        if method.upper() != self.method:
            return None
        found = self._pattern.fullmatch(path.partition("?")[0])
        if found is None:
            return None
        return {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}

    @property
    def writes(self) -> bool:
        """Whether the operation changes state (a POST)."""
        return self.method == "POST"

    def url_path(self, params: Mapping[str, Any]) -> str:
        """The path with its parameters filled in, each percent-encoded as one segment.

        Raises:
            KeyError: naming a parameter of the template that ``params`` lacks.
        """
        missing = [name for name in self.path_params if name not in params]
        if missing:
            raise KeyError(f"{self.name}: path parameter {missing[0]!r} is missing")
        quoted = {n: urllib.parse.quote(str(params[n]), safe="") for n in self.path_params}
        return self.path.format(**quoted)


def _post(name: str, path: str, body: type[BaseModel], answer: type[AnswerT]) -> Operation[AnswerT]:
    return Operation(name, "POST", path, body, TypeAdapter(answer), 201)


def _get(name: str, path: str, answer: type[AnswerT], *query: str) -> Operation[AnswerT]:
    return Operation(name, "GET", path, None, TypeAdapter(answer), 200, query)


def _list(name: str, path: str, item: type[AnswerT], *query: str) -> Operation[list[AnswerT]]:
    return Operation(name, "GET", path, None, TypeAdapter(list[item]), 200, query)  # type: ignore[valid-type]


def _change(
    name: str, path: str, body: type[BaseModel], answer: type[AnswerT]
) -> Operation[AnswerT]:
    """A POST that changes something that exists (answers 200, not 201)."""
    return Operation(name, "POST", path, body, TypeAdapter(answer), 200)


HEALTH = Operation("health", "GET", "/healthz", None, TypeAdapter(Health), 200, auth=False)
ISSUE_TOKEN = _post("issue_token", "/v1/tokens", TokenIn, TokenOut)
REVOKE_TOKEN = _change(
    "revoke_token", "/v1/tokens/{token_id}/revocation", RevocationIn, TokenInfo
)
REGISTER_ENTITY = _post("register_entity", "/v1/entities", EntityIn, EntityOut)
GET_ENTITY = _get("get_entity", "/v1/entities/{entity_id}", EntityOut)
POST_EVENT = _post("post_event", "/v1/entities/{entity_id}/events", EventIn, EventOut)
GET_TIER = _get("get_tier", "/v1/entities/{entity_id}/tier", TierOut, "as_of")
TIER_MEMBERS = _get(
    "tier_members", "/v1/tiers/{tier}/members", TierMembers, "as_of", "kind", "after", "limit"
)
NOTIFICATIONS = _get(
    "notifications", "/v1/notifications", NotificationFeed, "after", "until", "department", "limit"
)
FILE_QUALIFICATION = _post(
    "file_qualification", "/v1/qualifications", QualificationIn, QualificationOut
)
FILE_BOOK = _post("file_book", "/v1/books", BookIn, BookOut)
GET_BOOK = _get("get_book", "/v1/books/{book_id}", BookOut)
FIRST_LINE_ENTRY = _post("first_line_entry", "/v1/books/{book_id}/entries", EntryIn, EntryOut)
BOOK_ENTRY = _post(
    "book_entry", "/v1/books/{book_id}/entries/{entry_id}/booking", OnIn, EntryOut
)
SETTLE_ENTRY = _post(
    "settle_entry", "/v1/books/{book_id}/entries/{entry_id}/settlement", OnIn, EntryOut
)
PURCHASE = _post("purchase", "/v1/books/{book_id}/purchases", PurchaseIn, PurchaseOut)
TRANSFER = _post("transfer", "/v1/books/{book_id}/transfers", TransferIn, TransferOut)
PROCESS = _post("process", "/v1/books/{book_id}/processing", ProcessingIn, ProcessingOut)
GET_TRANSFER = _get("get_transfer", "/v1/transfers/{transfer_id}", TransferOut)
LIST_TRANSFERS = _list(
    "list_transfers", "/v1/transfers", TransferOut, "book", "status", "after", "limit"
)
ACCEPT_TRANSFER = _change(
    "accept_transfer", "/v1/transfers/{transfer_id}/acceptance", TransferDecisionIn, TransferOut
)
REJECT_TRANSFER = _change(
    "reject_transfer", "/v1/transfers/{transfer_id}/rejection", TransferDecisionIn, TransferOut
)
WITHDRAW_TRANSFER = _change(
    "withdraw_transfer", "/v1/transfers/{transfer_id}/withdrawal", TransferDecisionIn, TransferOut
)
DECLARE = _post("declare", "/v1/declarations", DeclarationIn, DeclarationOut)
GET_DECLARATION = _get("get_declaration", "/v1/declarations/{declaration_id}", DeclarationOut)
LIST_DECLARATIONS = _list(
    "list_declarations", "/v1/declarations", DeclarationOut, "book", "after", "limit"
)
RECORD_INSPECTION = _change(
    "record_inspection",
    "/v1/declarations/{declaration_id}/inspection",
    InspectionIn,
    DeclarationOut,
)
LIST_INSPECTIONS = _list(
    "list_inspections",
    "/v1/declarations/{declaration_id}/inspections",
    InspectionRecord,
    "after",
    "limit",
)
ADMIT_BATCH_EXIT = _post(
    "admit_batch_exit", "/v1/books/{book_id}/batch-exit/admission", OnIn, BatchExitStatus
)
SUSPEND_BATCH_EXIT = _post(
    "suspend_batch_exit", "/v1/books/{book_id}/batch-exit/suspension", SuspendIn, BatchExitStatus
)
REINSTATE_BATCH_EXIT = _post(
    "reinstate_batch_exit",
    "/v1/books/{book_id}/batch-exit/reinstatement",
    ReinstateIn,
    BatchExitStatus,
)
BATCH_EXIT_STATUS = _get(
    "batch_exit_status", "/v1/books/{book_id}/batch-exit", BatchExitStatus, "on"
)
FILE_BATCH_LIST = _post("file_batch_list", "/v1/batch-exit/lists", ShipmentIn, ShipmentOut)
CONSOLIDATE = _post(
    "consolidate",
    "/v1/books/{book_id}/consolidated-declarations",
    ConsolidatedIn,
    ConsolidatedOut,
)
DEPARTURE_CHECK = _post(
    "departure_check",
    "/v1/travellers/{traveller_id}/departure-checks",
    DepartureCheckIn,
    DepartureCheckOut,
)
AUDIT_TRAIL = _get("audit_trail", "/v1/audit", AuditPage, "entity", "after", "limit")

OPERATIONS: tuple[Operation[Any], ...] = (
    HEALTH,
    ISSUE_TOKEN,
    REVOKE_TOKEN,
    REGISTER_ENTITY,
    GET_ENTITY,
    POST_EVENT,
    GET_TIER,
    TIER_MEMBERS,
    NOTIFICATIONS,
    FILE_QUALIFICATION,
    FILE_BOOK,
    GET_BOOK,
    FIRST_LINE_ENTRY,
    BOOK_ENTRY,
    SETTLE_ENTRY,
    PURCHASE,
    TRANSFER,
    GET_TRANSFER,
    LIST_TRANSFERS,
    ACCEPT_TRANSFER,
    REJECT_TRANSFER,
    WITHDRAW_TRANSFER,
    PROCESS,
    DECLARE,
    GET_DECLARATION,
    LIST_DECLARATIONS,
    RECORD_INSPECTION,
    LIST_INSPECTIONS,
    ADMIT_BATCH_EXIT,
    SUSPEND_BATCH_EXIT,
    REINSTATE_BATCH_EXIT,
    BATCH_EXIT_STATUS,
    FILE_BATCH_LIST,
    CONSOLIDATE,
    DEPARTURE_CHECK,
    AUDIT_TRAIL,
)
"""Every operation of the platform API, in the order of the README's tour."""

_BY_NAME = {op.name: op for op in OPERATIONS}


def find_operation(method: str, path: str) -> Operation[Any] | None:
    """The operation a request is a call of (e.g. a recorded ``POST /v1/books/B1/entries``).

    Args:
        method: The HTTP method.
        path: The request path, with or without a query string.

    Returns:
        The operation, or None when no operation of the API has that method and path.
    """
    for op in OPERATIONS:
        if op.match(method, path) is not None:
            return op
    return None


def operation(name: str) -> Operation[Any]:
    """The operation called ``name``.

    Raises:
        KeyError: naming the unknown operation and the known ones.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown operation {name!r} (one of {', '.join(_BY_NAME)})") from None
