"""Travellers: the departure check of offshore duty-free purchases against the annual quota.

Each traveller may take off the island duty-free goods worth up to the annual quota (100,000
CNY per person per calendar year since 1 July 2020; ``REFPLATFORM_DUTY_FREE_QUOTA_FEN``), and
only from 18 years of age (read from the birth date inside the resident identity number).
``POST /v1/travellers/{id}/departure-checks`` records the purchases presented at a departure
and answers the decision: ``pass`` when the year's total stays within the quota, ``over_quota``
with the excess otherwise, ``underage`` when the buyer is under 18; the purchases are recorded
in every case (they were bought), so the next check of the year counts them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select

from refplatform.deps import Db, Staff
from refplatform.errors import Problem
from refplatform.models import DutyFreePurchase, Entity
from sim.api.travellers import DepartureCheckIn, DepartureCheckOut
from sim.rules.identifiers import resident_id_birth_date

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["travellers"])

_ADULT = 18


def _birth_date(id_number: str) -> dt.date | None:
    try:
        return resident_id_birth_date(id_number)
    except ValueError:
        return None


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@router.post(
    "/travellers/{traveller_id}/departure-checks",
    status_code=201,
    response_model=DepartureCheckOut,
    summary="Departure check of duty-free purchases",
)
def departure_check(
    traveller_id: str, body: DepartureCheckIn, request: Request, db: Db, _officer: Staff
) -> dict[str, Any]:
    """Check the purchases against the traveller's annual quota and age."""
    quota: int = request.app.state.settings.duty_free_quota_fen
    amount = sum(p.amount_fen for p in body.purchases)
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
        born = _birth_date(traveller.code)
        used = used_before + amount
        if born is not None and _age(born, body.date) < _ADULT:
            decision = "underage"
        elif used > quota:
            decision = "over_quota"
        else:
            decision = "pass"
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
    return {
        "traveller": traveller_id,
        "date": body.date.isoformat(),
        "decision": decision,
        "amount_fen": amount,
        "quota_fen": quota,
        "used_before_fen": used_before,
        "used_fen": used,
        "remaining_fen": max(quota - used, 0),
        "excess_fen": max(used - max(quota, used_before), 0) if used > quota else 0,
    }
