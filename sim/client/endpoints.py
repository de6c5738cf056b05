"""The typed operations: one method per endpoint of the platform API, written once.

Each method takes the path parameters, the query parameters and the request body (a
:mod:`sim.api` model) of its operation (:mod:`sim.api.operations`) and returns the answer as the
contract's model: directly on :class:`~sim.client.clients.PlatformClient`, as an awaitable on
:class:`~sim.client.clients.AsyncPlatformClient`.

Common to all of them:

- every write takes ``idempotency_key`` (a fresh one is generated when it is not given; pass
  the same key to make a repeat of the same intent safe);
- an error answer raises the :class:`~sim.client.errors.ApiError` of its status (a rule's
  refusal carries its ``reason``), no answer raises
  :class:`~sim.client.errors.PlatformUnreachable`, and a success answer the contract does not
  allow raises :class:`~sim.client.errors.ContractViolation`;
- query parameters left as None are not sent (the platform's defaults apply).
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import httpx

from sim.api import operations as ops
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
    TransferStatus,
)
from sim.api.common import OnIn
from sim.api.credit import EventIn, EventOut, TierMembers, TierOut
from sim.api.declarations import DeclarationIn, DeclarationOut, InspectionIn, InspectionRecord
from sim.api.entities import EntityIn, EntityKind, EntityOut
from sim.api.health import Health
from sim.api.notifications import NotificationFeed
from sim.api.tokens import RevocationIn, TokenIn, TokenInfo, TokenOut
from sim.api.travellers import DepartureCheckIn, DepartureCheckOut
from sim.client.base import PlatformBase
from sim.client.plan import Plan, runs
from sim.rules.tiers import Tier

__all__ = ["Endpoints"]

H = TypeVar("H", httpx.Client, httpx.AsyncClient)
Key = str | None


class Endpoints(PlatformBase[H]):
    """The platform API's operations as typed methods (see the module's docstring)."""

    # -- health, tokens, entities, credit ----------------------------------------------------

    @runs
    def health(self) -> Plan[Health]:
        """``GET /healthz``: the platform and its database answer (no token needed)."""
        return self._call(ops.HEALTH)

    @runs
    def issue_token(self, body: TokenIn, *, idempotency_key: Key = None) -> Plan[TokenOut]:
        """``POST /v1/tokens`` (admin): a bearer token for a role."""
        return self._call(ops.ISSUE_TOKEN, body=body, key=idempotency_key)

    @runs
    def revoke_token(
        self, token_id: int, body: RevocationIn | None = None, *, idempotency_key: Key = None
    ) -> Plan[TokenInfo]:
        """``POST /v1/tokens/{token_id}/revocation`` (admin, or the token itself)."""
        path = {"token_id": token_id}
        body = body or RevocationIn()
        return self._call(ops.REVOKE_TOKEN, path=path, body=body, key=idempotency_key)

    @runs
    def register_entity(self, body: EntityIn, *, idempotency_key: Key = None) -> Plan[EntityOut]:
        """``POST /v1/entities`` (staff): register an enterprise or an individual."""
        return self._call(ops.REGISTER_ENTITY, body=body, key=idempotency_key)

    @runs
    def get_entity(self, entity_id: str) -> Plan[EntityOut]:
        """``GET /v1/entities/{entity_id}``: an entity's registration."""
        return self._call(ops.GET_ENTITY, path={"entity_id": entity_id})

    @runs
    def post_event(
        self, entity_id: str, body: EventIn, *, idempotency_key: Key = None
    ) -> Plan[EventOut]:
        """``POST /v1/entities/{entity_id}/events`` (admin, department): a credit event."""
        path = {"entity_id": entity_id}
        return self._call(ops.POST_EVENT, path=path, body=body, key=idempotency_key)

    @runs
    def get_tier(self, entity_id: str, as_of: dt.date) -> Plan[TierOut]:
        """``GET /v1/entities/{entity_id}/tier``: the tier on ``as_of`` and its grounds."""
        path, query = {"entity_id": entity_id}, {"as_of": as_of}
        return self._call(ops.GET_TIER, path=path, query=query)

    @runs
    def tier_members(
        self,
        tier: Tier,
        as_of: dt.date,
        *,
        kind: EntityKind | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> Plan[TierMembers]:
        """``GET /v1/tiers/{tier}/members``: a page of the tier's members on ``as_of``."""
        query = {"as_of": as_of, "kind": kind, "after": after, "limit": limit}
        return self._call(ops.TIER_MEMBERS, path={"tier": tier}, query=query)

    @runs
    def notifications(
        self,
        *,
        after: int | None = None,
        until: dt.date | None = None,
        department: str | None = None,
        limit: int | None = None,
    ) -> Plan[NotificationFeed]:
        """``GET /v1/notifications``: a page of a department's tier-change feed."""
        query = {"after": after, "until": until, "department": department, "limit": limit}
        return self._call(ops.NOTIFICATIONS, query=query)

    # -- goods and account books -------------------------------------------------------------

    @runs
    def file_qualification(
        self, body: QualificationIn, *, idempotency_key: Key = None
    ) -> Plan[QualificationOut]:
        """``POST /v1/qualifications``: an enterprise's zero-tariff qualification filing."""
        return self._call(ops.FILE_QUALIFICATION, body=body, key=idempotency_key)

    @runs
    def file_book(self, body: BookIn, *, idempotency_key: Key = None) -> Plan[BookOut]:
        """``POST /v1/books``: file an account book."""
        return self._call(ops.FILE_BOOK, body=body, key=idempotency_key)

    @runs
    def get_book(self, book_id: str) -> Plan[BookOut]:
        """``GET /v1/books/{book_id}``: the book's state and version."""
        return self._call(ops.GET_BOOK, path={"book_id": book_id})

    @runs
    def first_line_entry(
        self, book_id: str, body: EntryIn, *, idempotency_key: Key = None
    ) -> Plan[EntryOut]:
        """``POST /v1/books/{book_id}/entries``: goods released at the first line."""
        path = {"book_id": book_id}
        return self._call(ops.FIRST_LINE_ENTRY, path=path, body=body, key=idempotency_key)

    @runs
    def book_entry(
        self, book_id: str, entry_id: str, body: OnIn, *, idempotency_key: Key = None
    ) -> Plan[EntryOut]:
        """``POST .../entries/{entry_id}/booking``: book a pending entry (within 14 days)."""
        path = {"book_id": book_id, "entry_id": entry_id}
        return self._call(ops.BOOK_ENTRY, path=path, body=body, key=idempotency_key)

    @runs
    def settle_entry(
        self, book_id: str, entry_id: str, body: OnIn, *, idempotency_key: Key = None
    ) -> Plan[EntryOut]:
        """``POST .../entries/{entry_id}/settlement``: back-pay an entry booked too late."""
        path = {"book_id": book_id, "entry_id": entry_id}
        return self._call(ops.SETTLE_ENTRY, path=path, body=body, key=idempotency_key)

    @runs
    def purchase(
        self, book_id: str, body: PurchaseIn, *, idempotency_key: Key = None
    ) -> Plan[PurchaseOut]:
        """``POST /v1/books/{book_id}/purchases``: goods bought on the domestic market."""
        path = {"book_id": book_id}
        return self._call(ops.PURCHASE, path=path, body=body, key=idempotency_key)

    @runs
    def transfer(
        self, book_id: str, body: TransferIn, *, idempotency_key: Key = None
    ) -> Plan[TransferOut]:
        """``POST /v1/books/{book_id}/transfers``: to another book, or out of the regime.

        Into another enterprise's book the answer is ``pending`` until that enterprise accepts.
        """
        path = {"book_id": book_id}
        return self._call(ops.TRANSFER, path=path, body=body, key=idempotency_key)

    @runs
    def get_transfer(self, transfer_id: int) -> Plan[TransferOut]:
        """``GET /v1/transfers/{transfer_id}``: a transfer and where it stands."""
        return self._call(ops.GET_TRANSFER, path={"transfer_id": transfer_id})

    @runs
    def list_transfers(
        self,
        book: str,
        *,
        status: TransferStatus | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> Plan[list[TransferOut]]:
        """``GET /v1/transfers?book=...``: transfers out of or into a book, in id order."""
        query = {"book": book, "status": status, "after": after, "limit": limit}
        return self._call(ops.LIST_TRANSFERS, query=query)

    @runs
    def accept_transfer(
        self, transfer_id: int, body: TransferDecisionIn, *, idempotency_key: Key = None
    ) -> Plan[TransferOut]:
        """``POST /v1/transfers/{transfer_id}/acceptance`` (the receiver): the goods move."""
        path = {"transfer_id": transfer_id}
        return self._call(ops.ACCEPT_TRANSFER, path=path, body=body, key=idempotency_key)

    @runs
    def reject_transfer(
        self, transfer_id: int, body: TransferDecisionIn, *, idempotency_key: Key = None
    ) -> Plan[TransferOut]:
        """``POST /v1/transfers/{transfer_id}/rejection`` (the receiver): nothing moves."""
        path = {"transfer_id": transfer_id}
        return self._call(ops.REJECT_TRANSFER, path=path, body=body, key=idempotency_key)

    @runs
    def withdraw_transfer(
        self, transfer_id: int, body: TransferDecisionIn, *, idempotency_key: Key = None
    ) -> Plan[TransferOut]:
        """``POST /v1/transfers/{transfer_id}/withdrawal`` (the sender): nothing moves."""
        path = {"transfer_id": transfer_id}
        return self._call(ops.WITHDRAW_TRANSFER, path=path, body=body, key=idempotency_key)

    @runs
    def process(
        self, book_id: str, body: ProcessingIn, *, idempotency_key: Key = None
    ) -> Plan[ProcessingOut]:
        """``POST /v1/books/{book_id}/processing``: run a bill of materials."""
        path = {"book_id": book_id}
        return self._call(ops.PROCESS, path=path, body=body, key=idempotency_key)

    # -- second-line declarations ------------------------------------------------------------

    @runs
    def declare(self, body: DeclarationIn, *, idempotency_key: Key = None) -> Plan[DeclarationOut]:
        """``POST /v1/declarations``: write goods off, assess duties, decide the channel."""
        return self._call(ops.DECLARE, body=body, key=idempotency_key)

    @runs
    def get_declaration(self, declaration_id: int) -> Plan[DeclarationOut]:
        """``GET /v1/declarations/{declaration_id}``: a declaration and its decision."""
        return self._call(ops.GET_DECLARATION, path={"declaration_id": declaration_id})

    @runs
    def list_declarations(
        self, book: str, *, after: int | None = None, limit: int | None = None
    ) -> Plan[list[DeclarationOut]]:
        """``GET /v1/declarations?book=...``: a book's declarations in id order."""
        query = {"book": book, "after": after, "limit": limit}
        return self._call(ops.LIST_DECLARATIONS, query=query)

    @runs
    def record_inspection(
        self, declaration_id: int, body: InspectionIn, *, idempotency_key: Key = None
    ) -> Plan[DeclarationOut]:
        """``POST /v1/declarations/{declaration_id}/inspection`` (staff): what was found."""
        path = {"declaration_id": declaration_id}
        return self._call(ops.RECORD_INSPECTION, path=path, body=body, key=idempotency_key)

    @runs
    def list_inspections(
        self, declaration_id: int, *, after: int | None = None, limit: int | None = None
    ) -> Plan[list[InspectionRecord]]:
        """``GET /v1/declarations/{declaration_id}/inspections`` (staff): every result."""
        path, query = {"declaration_id": declaration_id}, {"after": after, "limit": limit}
        return self._call(ops.LIST_INSPECTIONS, path=path, query=query)

    # -- batch exit --------------------------------------------------------------------------

    @runs
    def admit_batch_exit(
        self, book_id: str, body: OnIn, *, idempotency_key: Key = None
    ) -> Plan[BatchExitStatus]:
        """``POST /v1/books/{book_id}/batch-exit/admission``: admit the book's enterprise."""
        path = {"book_id": book_id}
        return self._call(ops.ADMIT_BATCH_EXIT, path=path, body=body, key=idempotency_key)

    @runs
    def suspend_batch_exit(
        self, book_id: str, body: SuspendIn, *, idempotency_key: Key = None
    ) -> Plan[BatchExitStatus]:
        """``POST /v1/books/{book_id}/batch-exit/suspension`` (staff): suspend it."""
        path = {"book_id": book_id}
        return self._call(ops.SUSPEND_BATCH_EXIT, path=path, body=body, key=idempotency_key)

    @runs
    def reinstate_batch_exit(
        self, book_id: str, body: ReinstateIn, *, idempotency_key: Key = None
    ) -> Plan[BatchExitStatus]:
        """``POST /v1/books/{book_id}/batch-exit/reinstatement``: apply for reinstatement."""
        path = {"book_id": book_id}
        return self._call(ops.REINSTATE_BATCH_EXIT, path=path, body=body, key=idempotency_key)

    @runs
    def batch_exit_status(self, book_id: str, on: dt.date) -> Plan[BatchExitStatus]:
        """``GET /v1/books/{book_id}/batch-exit``: the facility's status on a date."""
        path, query = {"book_id": book_id}, {"on": on}
        return self._call(ops.BATCH_EXIT_STATUS, path=path, query=query)

    @runs
    def file_batch_list(
        self, body: ShipmentIn, *, idempotency_key: Key = None
    ) -> Plan[ShipmentOut]:
        """``POST /v1/batch-exit/lists``: a shipment's exit list and release note."""
        return self._call(ops.FILE_BATCH_LIST, body=body, key=idempotency_key)

    @runs
    def consolidate(
        self, book_id: str, body: ConsolidatedIn, *, idempotency_key: Key = None
    ) -> Plan[ConsolidatedOut]:
        """``POST /v1/books/{book_id}/consolidated-declarations``: a month's declaration."""
        path = {"book_id": book_id}
        return self._call(ops.CONSOLIDATE, path=path, body=body, key=idempotency_key)

    # -- travellers --------------------------------------------------------------------------

    @runs
    def departure_check(
        self, traveller_id: str, body: DepartureCheckIn, *, idempotency_key: Key = None
    ) -> Plan[DepartureCheckOut]:
        """``POST /v1/travellers/{traveller_id}/departure-checks`` (staff): the quota check."""
        path = {"traveller_id": traveller_id}
        return self._call(ops.DEPARTURE_CHECK, path=path, body=body, key=idempotency_key)

    # -- the audit trail ---------------------------------------------------------------------

    @runs
    def audit_trail(
        self, *, entity: str | None = None, after: int | None = None, limit: int | None = None
    ) -> Plan[AuditPage]:
        """``GET /v1/audit`` (staff): accepted writes in order, who made them and when."""
        query = {"entity": entity, "after": after, "limit": limit}
        return self._call(ops.AUDIT_TRAIL, query=query)
