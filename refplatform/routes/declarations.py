"""Second-line declarations: write-off, duties due, channel decision; inspection results.

``POST /v1/declarations`` is the platform's hot path. In one transaction holding the book's
lock it classifies the declarant on the declaration date (``sim.rules.credit``: its tier and
listing grounds) and asks the oracle (``sim.rules.oracle.decide_declaration``) for the whole
decision: the lines written off the book with the duties due (all lines or none), the risk score
of the indicators, the random-selection number of the reference and the channel; then it stores
the declaration and answers the channel and the duties. A refusal (e.g.
``insufficient_balance``, an unknown risk indicator) stores nothing and answers 409/422 with the
rule's reason.

``POST /v1/declarations/{id}/inspection`` (staff) records the result of a scan or an
inspection, dated no earlier than the declaration; every result is kept
(``GET /v1/declarations/{id}/inspections``, staff) and the declaration shows the latest.
``GET`` reads a declaration (its enterprise or staff) or lists a book's.

The answer of ``POST /v1/declarations`` is built inside its transaction and stored with it when
the request has an idempotency key (:mod:`refplatform.request_context`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from refplatform.db import Database
from refplatform.declaration_store import (
    DeclarationStore,
    DuplicateDeclaration,
    NewDeclaration,
)
from refplatform.deps import (
    BEARER_SECURITY,
    Caller,
    Db,
    DirectWriter,
    PathDbId,
    QueryCursor,
    QueryLimit,
    Staff,
    require_entity_access,
)
from refplatform.direct_route import DirectRoute
from refplatform.errors import Problem
from refplatform.json_route import JsonRoute
from refplatform.models import Book, Declaration, InspectionResult
from refplatform.request_context import respond
from refplatform.routes.books import duties_record
from refplatform.security import Principal
from sim.api.declarations import DeclarationIn, DeclarationOut, InspectionIn, InspectionRecord
from sim.rules import ledger
from sim.rules.oracle import (
    DeclarationRequest,
    check_inspection_date,
    decide_declaration,
    listing_grounds,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["declarations"], route_class=JsonRoute)


def _out(row: Declaration) -> DeclarationOut:
    return DeclarationOut(
        id=row.id,
        reference=row.reference,
        book=row.book_id,
        entity=row.entity_id,
        port=row.port,
        date=row.date,
        tier=row.tier,
        risk_score=row.risk_score,
        channel=row.channel,
        duties=row.body["duties"],
        lines=row.body["lines"],
        inspection=row.inspection,
    )


async def declare(body: DeclarationIn, request: Request, caller: DirectWriter) -> Response:
    """Write the goods off, assess duties, decide the channel."""
    state = request.app.state
    db: Database = state.db  # not a dependency: each one costs FastAPI work per request
    weights = state.settings.rules.risk.weights
    unknown = [name for name in body.risk_indicators if name not in weights]
    if unknown:  # a malformed request: refused before the book is locked
        raise Problem(
            422,
            "unknown_risk_indicator",
            f"unknown risk indicator {unknown[0]!r}",
            field="body.risk_indicators",
        )
    if db.is_sqlite:
        # SQLite has one writer at a time, so handing the transaction to a worker thread buys
        # no concurrency, only a thread hand-off that costs as much as the commit; run it here.
        return _write_off(state, caller, body)
    return await run_in_threadpool(_write_off, state, caller, body)


# The hot path is served by DirectRoute (body validated in one pass from the raw bytes, the
# bearer check awaited directly); its OpenAPI entry is FastAPI's, from the signature above.
router.add_api_route(
    "/declarations",
    declare,
    methods=["POST"],
    status_code=201,
    response_model=DeclarationOut,
    summary="Second-line exit declaration",
    openapi_extra=BEARER_SECURITY,
    route_class_override=DirectRoute,
)


def _write_off(state: Any, caller: Principal, body: DeclarationIn) -> Response:
    rules = state.settings.rules
    reference = body.reference or uuid.uuid4().hex
    lines = tuple(ledger.ExitLine(ln.item, ln.qty, ln.price_fen, ln.permit) for ln in body.lines)
    request = DeclarationRequest(reference, body.port, body.date, lines,
                                 tuple(body.risk_indicators))
    # The hot path: four statements in one transaction, prepared once (refplatform.
    # declaration_store): lock and read the book with its holder; the holder's history only
    # when it changed; insert the declaration; update the book; commit.
    store: DeclarationStore = state.declaration_store
    with store.transaction() as txn:
        found = txn.lock_book(body.book)
        if found is None:
            raise Problem(404, "unknown_book", f"no account book {body.book!r}", field="body.book")
        require_entity_access(caller, found.entity_id)
        classified = state.histories.classification(
            txn.history, found.entity_id, found.kind, found.credit_version, body.date,
            rules.credit,
        )
        tier = classified.tier
        # a key-attention declarant is routed as its strictest listing ground
        decided = decide_declaration(found.book, tier, request, rules,
                                     listing_grounds(classified))
        book, decl = decided.book, decided.declaration
        score, channel = decided.risk.score, decided.channel
        if channel == "scan" and "scan_as_release" in state.settings.faults:
            channel = "release"  # a broken rule, on purpose (test-only, REFPLATFORM_FAULTS)
        duties = duties_record(decl.duties)
        answer_lines = [
            {
                "item": r.item,
                "code": r.code,
                "regime": r.regime.value,
                "qty": r.qty,
                "base_fen": r.base_fen,
                "value_added": None if r.value_added is None else float(r.value_added),
                "duty_exempt": r.duty_exempt,
                "duties": duties_record(r.duties),
            }
            for r in decl.lines
        ]
        record = {"duties": duties, "lines": answer_lines, "risk_indicators": body.risk_indicators}
        row = NewDeclaration(
            reference,
            body.book,
            found.entity_id,
            body.port,
            body.date,
            tier,
            score,
            channel,
            decl.duties.total_fen,
            record,
            dt.datetime.now(dt.UTC),
        )
        try:
            new_id = txn.insert(row)
        except DuplicateDeclaration as exc:
            raise Problem(
                409,
                "duplicate_id",
                f"declaration {reference!r} already exists",
                field="body.reference",
            ) from exc
        txn.update_book(body.book, book, found.version + 1)
        # The answer is built as JSON directly: the route declares DeclarationOut for the
        # OpenAPI document, but re-validating a value just built costs as much as the write-off.
        return respond(
            {
                "id": new_id,
                "reference": reference,
                "book": body.book,
                "entity": found.entity_id,
                "port": body.port,
                "date": body.date.isoformat(),
                "tier": tier,
                "risk_score": score,
                "channel": channel,
                "duties": duties,
                "lines": answer_lines,
                "inspection": None,
            }
        )


def _declaration(session: Session, declaration_id: int) -> Declaration:
    row = session.get(Declaration, declaration_id)
    if row is None:
        raise Problem(
            404,
            "unknown_declaration",
            f"no declaration {declaration_id}",
            field="path.declaration_id",
        )
    return row


@router.get(
    "/declarations/{declaration_id}", response_model=DeclarationOut, summary="A declaration"
)
def get_declaration(declaration_id: PathDbId, db: Db, caller: Caller) -> DeclarationOut:
    """A declaration with its decision (its enterprise, admin or officers)."""
    with db.read() as session:
        row = _declaration(session, declaration_id)
        require_entity_access(caller, row.entity_id)
        return _out(row)


@router.get("/declarations", response_model=list[DeclarationOut], summary="A book's declarations")
def list_declarations(
    db: Db,
    caller: Caller,
    book: Annotated[str, Query(min_length=1, max_length=64)],
    after: QueryCursor = 0,
    limit: QueryLimit = 100,
) -> list[DeclarationOut]:
    """Declarations against one book, in id order after ``after``."""
    with db.read() as session:
        owner = session.scalar(select(Book.entity_id).where(Book.id == book))
        if owner is None:
            raise Problem(404, "unknown_book", f"no account book {book!r}", field="query.book")
        require_entity_access(caller, owner)
        rows = session.scalars(
            select(Declaration)
            .where(Declaration.book_id == book, Declaration.id > after)
            .order_by(Declaration.id)
            .limit(limit)
        ).all()
        return [_out(r) for r in rows]


@router.post(
    "/declarations/{declaration_id}/inspection",
    response_model=DeclarationOut,
    summary="Record an inspection result",
)
def record_inspection(
    declaration_id: PathDbId, body: InspectionIn, db: Db, officer: Staff
) -> Response:
    """Record what a scan or inspection found (staff); earlier results are kept."""
    with db.write() as session:
        row = _declaration(session, declaration_id)
        check_inspection_date(row.date, body.on, declaration_id)
        row.inspection = body.model_dump(mode="json")
        session.add(
            InspectionResult(
                declaration_id=row.id,
                on=body.on,
                channel=body.channel,
                result=body.result,
                findings=body.findings,
                token_id=officer.token_id,
                role=officer.role.value,
            )
        )
        session.flush()
        return respond(_out(row), 200)


@router.get(
    "/declarations/{declaration_id}/inspections",
    response_model=list[InspectionRecord],
    summary="Every inspection result of a declaration",
)
def list_inspections(
    declaration_id: PathDbId,
    db: Db,
    _staff: Staff,
    after: QueryCursor = 0,
    limit: QueryLimit = 100,
) -> list[InspectionRecord]:
    """The results recorded for a declaration, oldest first, with who recorded each (staff)."""
    with db.read() as session:
        _declaration(session, declaration_id)
        rows = session.scalars(
            select(InspectionResult)
            .where(InspectionResult.declaration_id == declaration_id, InspectionResult.id > after)
            .order_by(InspectionResult.id)
            .limit(limit)
        ).all()
        return [
            InspectionRecord(
                id=r.id,
                declaration=r.declaration_id,
                on=r.on,
                channel=r.channel,
                result=r.result,
                findings=r.findings,
                recorded_at=r.recorded_at,
                token_id=r.token_id,
                role=r.role,
            )
            for r in rows
        ]
