"""Travellers: the departure check of offshore duty-free purchases against the annual quota.

``POST /v1/travellers/{id}/departure-checks`` records the purchases presented at a departure
and answers the oracle's decision (``sim.rules.dutyfree.check_departure``, with the quota of
the platform's rules): ``pass`` when the year's total stays within the quota, ``over_quota``
with the excess otherwise, ``underage`` when the buyer is under 18 (read from the birth date
inside the resident identity number). The purchases are recorded in every case (they were
bought), so the next check of the year counts them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import TypeAdapter
from sqlalchemy import func, select

from refplatform.deps import Db, PathId, Staff
from refplatform.errors import Problem
from refplatform.json_route import JsonRoute
from refplatform.models import DutyFreePurchase, Entity
from refplatform.request_context import respond
from sim.api.travellers import DepartureCheckIn, DepartureCheckOut
from sim.rules.oracle import check_departure

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["travellers"], route_class=JsonRoute)

_CHECK = TypeAdapter(DepartureCheckOut)


@router.post(
    "/travellers/{traveller_id}/departure-checks",
    status_code=201,
    response_model=DepartureCheckOut,
    summary="Departure check of duty-free purchases",
)
def departure_check(
    traveller_id: PathId, body: DepartureCheckIn, request: Request, db: Db, _officer: Staff
) -> Response:
    """Check the purchases against the traveller's annual quota and age."""
    quota: int = request.app.state.settings.rules.duty_free_quota_fen
    if "quota_one_fen_short" in request.app.state.settings.faults:
        quota -= 1  # a broken rule, on purpose (test-only, REFPLATFORM_FAULTS)
    with db.write() as session:
        traveller = session.get(Entity, traveller_id)
        if traveller is None:
            raise Problem(
                404, "unknown_entity", f"no traveller {traveller_id!r}", field="path.traveller_id"
            )
        if traveller.kind != "individual":
            raise Problem(
                422,
                "not_an_individual",
                f"{traveller_id!r} is an enterprise",
                field="path.traveller_id",
            )
        used_before = int(
            session.scalar(
                select(func.coalesce(func.sum(DutyFreePurchase.amount_fen), 0)).where(
                    DutyFreePurchase.traveller_id == traveller_id,
                    DutyFreePurchase.year == body.date.year,
                )
            )
            or 0
        )
        decided = check_departure(
            traveller.code, body.date, [p.amount_fen for p in body.purchases], used_before, quota
        )
        for p in body.purchases:
            session.add(
                DutyFreePurchase(
                    traveller_id=traveller_id,
                    year=body.date.year,
                    date=body.date,
                    amount_fen=p.amount_fen,
                    body={**p.model_dump(), "port": body.port},
                )
            )
        answer = {
            "traveller": traveller_id,
            "date": body.date.isoformat(),
            "decision": decided.decision,
            "amount_fen": decided.amount_fen,
            "quota_fen": decided.quota_fen,
            "used_before_fen": decided.used_before_fen,
            "used_fen": decided.used_fen,
            "remaining_fen": decided.remaining_fen,
            "excess_fen": decided.excess_fen,
        }
        return respond(answer, 201, _CHECK)
