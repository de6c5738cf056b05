"""The platform API contract: every request and answer of the customs platform, defined once.

The reference platform (``refplatform``) validates its requests with these models and documents
its answers with them in ``/openapi.json``; the typed client (:mod:`sim.client`) sends and
parses them; the workload, the replay and the drills compare answers against them. A module
per resource:

- :mod:`~sim.api.fields` — identifiers, quantities, money in fen, tariff lines, the ten ports;
- :mod:`~sim.api.common` — strict request/answer bases, a dated action, duties;
- :mod:`~sim.api.tokens`, :mod:`~sim.api.entities`, :mod:`~sim.api.credit`,
  :mod:`~sim.api.notifications`, :mod:`~sim.api.books`, :mod:`~sim.api.declarations`,
  :mod:`~sim.api.batch_exit`, :mod:`~sim.api.travellers`, :mod:`~sim.api.health`;
- :mod:`~sim.api.audit` — the audit trail of accepted writes;
- :mod:`~sim.api.problems` — the problem+json error body and the platform's error codes;
- :mod:`~sim.api.operations` — the table of operations (name, method, path, body, answer).

Requests and answers are closed (an unknown member is an error), so an answer that differs from
the contract is caught, not carried along. The vocabularies come from :mod:`sim.rules` (tiers,
ports, regimes, refusal reasons); this package imports nothing else of the project.
"""

from __future__ import annotations

from sim.api.audit import AuditPage, AuditRecord
from sim.api.batch_exit import (
    BatchExitStatus,
    ConsolidatedIn,
    ConsolidatedOut,
    OpenPeriod,
    ReinstateIn,
    ShipmentIn,
    ShipmentOut,
    SuspendIn,
)
from sim.api.books import (
    BookIn,
    BookOut,
    BookState,
    EntryIn,
    EntryOut,
    OutputIn,
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
from sim.api.common import Duties, OnIn
from sim.api.credit import EventIn, EventOut, Ground, TierMembers, TierOut
from sim.api.declarations import (
    Channel,
    DeclarationIn,
    DeclarationOut,
    Inspection,
    InspectionIn,
    InspectionRecord,
    LineIn,
    LineOut,
)
from sim.api.entities import EntityIn, EntityKind, EntityOut
from sim.api.health import Health
from sim.api.notifications import NotificationFeed, NotificationOut
from sim.api.operations import OPERATIONS, Operation, find_operation, operation
from sim.api.problems import PROBLEM_JSON, FieldError, ProblemBody, ProblemCode
from sim.api.tokens import RevocationIn, Role, TokenIn, TokenInfo, TokenOut
from sim.api.travellers import Decision, DepartureCheckIn, DepartureCheckOut, DutyFreePurchaseIn

__all__ = [
    "OPERATIONS",
    "PROBLEM_JSON",
    "AuditPage",
    "AuditRecord",
    "BatchExitStatus",
    "BookIn",
    "BookOut",
    "BookState",
    "Channel",
    "ConsolidatedIn",
    "ConsolidatedOut",
    "Decision",
    "DeclarationIn",
    "DeclarationOut",
    "DepartureCheckIn",
    "DepartureCheckOut",
    "Duties",
    "DutyFreePurchaseIn",
    "EntityIn",
    "EntityKind",
    "EntityOut",
    "EntryIn",
    "EntryOut",
    "EventIn",
    "EventOut",
    "FieldError",
    "Ground",
    "Health",
    "Inspection",
    "InspectionIn",
    "InspectionRecord",
    "LineIn",
    "LineOut",
    "NotificationFeed",
    "NotificationOut",
    "OnIn",
    "OpenPeriod",
    "Operation",
    "OutputIn",
    "ProblemBody",
    "ProblemCode",
    "ProcessingIn",
    "ProcessingOut",
    "PurchaseIn",
    "PurchaseOut",
    "QualificationIn",
    "QualificationOut",
    "ReinstateIn",
    "RevocationIn",
    "Role",
    "ShipmentIn",
    "ShipmentOut",
    "SuspendIn",
    "TierMembers",
    "TierOut",
    "TokenIn",
    "TokenInfo",
    "TokenOut",
    "TransferDecisionIn",
    "TransferIn",
    "TransferOut",
    "TransferStatus",
    "find_operation",
    "operation",
]
