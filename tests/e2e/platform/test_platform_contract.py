"""The platform answers what the contract (``sim.api``) says, and documents it in OpenAPI.

- every 2xx answer of every operation has a typed schema in ``/openapi.json``;
- the operations table (``sim.api.operations``) is the OpenAPI document: the same paths,
  methods, parameters, bodies, answers and success statuses, schema for schema;
- the declaration hot path, which builds its answer as JSON without the model, answers exactly
  its model, the same JSON a read of the declaration gives;
- the typed client walks every operation against the platform (sync, and async for a few).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter
from sqlalchemy import func, select

from refplatform.idempotency import IdempotencyMiddleware
from refplatform.main import create_app
from refplatform.models import IdempotencyKey
from refplatform.settings import Settings
from sim.api import (
    OPERATIONS,
    BookIn,
    ConsolidatedIn,
    DeclarationIn,
    DeclarationOut,
    DepartureCheckIn,
    DutyFreePurchaseIn,
    EntityIn,
    EntryIn,
    EventIn,
    InspectionIn,
    LineIn,
    OnIn,
    OutputIn,
    ProcessingIn,
    PurchaseIn,
    QualificationIn,
    ReinstateIn,
    ShipmentIn,
    SuspendIn,
    TokenIn,
    TransferDecisionIn,
    TransferIn,
)
from sim.api.operations import find_operation
from sim.client import AsyncPlatformClient, Conflict, NotFound, PlatformClient
from sim.rules.refusals import Reason
from tests.e2e.platform.goods_flow import BEEF, declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN_TOKEN, id_number, uscc

REF = "#/components/schemas/{model}"


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("openapi") / "o.db"
    app = create_app(Settings(db_url=f"sqlite:///{db}", admin_token=ADMIN_TOKEN, access_log=False))
    try:
        document: dict[str, Any] = app.openapi()
    finally:
        app.state.db.dispose()
    return document


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        resolved: dict[str, Any] = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
        return resolved
    return schema


def _typed(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    schema = _resolve(document, schema)
    if schema.get("type") == "array":
        return _typed(document, schema.get("items", {}))
    return schema.get("type") == "object" and bool(schema.get("properties"))


def test_every_success_answer_has_a_typed_schema(openapi: dict[str, Any]) -> None:
    seen = 0
    for path, methods in openapi["paths"].items():
        for method, entry in methods.items():
            success = {s: r for s, r in entry["responses"].items() if s.startswith("2")}
            assert success, (method, path)
            for status, answer in success.items():
                schema = answer["content"]["application/json"]["schema"]
                assert _typed(openapi, schema), (method, path, status, schema)
                seen += 1
    assert seen == len(OPERATIONS) == 36


def _normal(schema: Any) -> Any:
    """A schema without ``"default": null`` members (FastAPI leaves them out of its document)."""
    if isinstance(schema, dict):
        return {k: _normal(v) for k, v in schema.items() if not (k == "default" and v is None)}
    if isinstance(schema, list):
        return [_normal(v) for v in schema]
    return schema


def _same_schema(document: dict[str, Any], model: Any, schema: dict[str, Any], mode: Any) -> None:
    """``schema`` (from OpenAPI) is ``model``'s JSON schema, and so is every model it uses."""
    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    expected = _normal(adapter.json_schema(mode=mode, ref_template=REF))
    defs = expected.pop("$defs", {})
    components = _normal(document["components"]["schemas"])
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        assert components[name] == expected, name
    else:  # an array of models: the same items
        assert schema["type"] == expected["type"] == "array"
        assert schema["items"] == expected["items"]
    for name, definition in defs.items():
        assert components[name] == definition, name


def test_the_operations_table_is_the_openapi_document(openapi: dict[str, Any]) -> None:
    documented = {
        (method.upper(), path) for path, methods in openapi["paths"].items() for method in methods
    }
    assert documented == {(op.method, op.path) for op in OPERATIONS}
    for op in OPERATIONS:
        entry = openapi["paths"][op.path][op.method.lower()]
        assert str(op.status) in entry["responses"], op.name
        answer = entry["responses"][str(op.status)]["content"]["application/json"]["schema"]
        _same_schema(openapi, op.answer, answer, "serialization")
        parameters = {(p["in"], p["name"]) for p in entry.get("parameters", [])}
        assert {name for where, name in parameters if where == "query"} == set(op.query), op.name
        assert {name for where, name in parameters if where == "path"} == set(op.path_params)
        body = entry.get("requestBody", {}).get("content", {}).get("application/json", {})
        if op.body is None:
            assert not body, op.name
        else:
            assert body["schema"] == {"$ref": REF.format(model=op.body.__name__)}, op.name
            _same_schema(openapi, op.body, body["schema"], "validation")


def test_the_hot_paths_answer_is_exactly_its_model(api: Any, client: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    r = client.post("/v1/declarations", headers=own, json=declaration(2, reference="R1"))
    assert r.status_code == 201, r.text
    answer = DeclarationOut.model_validate(r.json())  # closed: no member more, none less
    assert answer.model_dump(mode="json") == r.json()
    again = client.get(f"/v1/declarations/{answer.id}", headers=own)
    assert again.json() == r.json()
    assert api.platform.get_declaration(answer.id) == answer


def _operation_of(method: str, path: str) -> str:
    op = find_operation(method, path)
    assert op is not None, f"no operation for {method} {path}"
    return op.name


def test_the_typed_client_walks_every_operation(
    client: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_late: list[str] = []
    # Every write builds its answer inside the transaction of its effect (stored with it).
    monkeypatch.setattr(
        IdempotencyMiddleware, "late_answer", lambda _self, ctx, *_: stored_late.append(ctx.path)
    )
    called: set[str] = set()
    client.event_hooks["request"].append(
        lambda request: called.add(_operation_of(request.method, request.url.path))
    )
    day = dt.date
    platform = PlatformClient(http=client, admin_token=ADMIN_TOKEN)
    assert platform.health().status == "ok"
    e1 = EntityIn(id="E1", kind="enterprise", code=uscc(1), registered_in_hainan=True)
    assert platform.register_entity(e1).code == uscc(1)
    assert platform.get_entity("E1").registered_in_hainan is True
    platform.register_entity(EntityIn(id="T1", kind="individual", code=id_number(1)))
    assert platform.issue_token(TokenIn(role="officer")).token.startswith("rp_")
    own, officer = platform.as_enterprise("E1"), platform.as_officer()

    filing = QualificationIn(entity="E1", on=day(2026, 1, 5), encouraged=True)
    assert own.file_qualification(filing).tier == "whitelist"
    assert own.file_book(BookIn(id="B1", entity="E1", on=day(2026, 1, 5))).version == 1
    beef = EntryIn(
        entry_id="IN1", item="beef", code=BEEF, qty=20, value_fen=200_000, released=day(2026, 1, 6)
    )
    assert own.first_line_entry("B1", beef).pending is True
    assert own.book_entry("B1", "IN1", OnIn(on=day(2026, 1, 7))).pending is False
    late = EntryIn(
        entry_id="IN2", item="veal", code=BEEF, qty=2, value_fen=20_000, released=day(2026, 1, 5)
    )
    own.first_line_entry("B1", late)
    assert own.settle_entry("B1", "IN2", OnIn(on=day(2026, 1, 20))).duties.total_fen > 0
    salt = PurchaseIn(item="salt", code="3926.90", qty=10, value_fen=700, on=day(2026, 1, 8))
    assert own.purchase("B1", salt).domestic_fen == 700
    sold = own.transfer("B1", TransferIn(item="beef", qty=1, on=day(2026, 1, 21)))
    assert sold.to_book is None and sold.duties.total_fen > 0 and sold.status == "done"
    e2 = EntityIn(id="E2", kind="enterprise", code=uscc(2), registered_in_hainan=True)
    platform.register_entity(e2)
    other = platform.as_enterprise("E2")
    other.file_qualification(QualificationIn(entity="E2", on=day(2026, 1, 5)))
    other.file_book(BookIn(id="B2", entity="E2", on=day(2026, 1, 5)))
    decide = TransferDecisionIn(on=day(2026, 1, 21))
    offers = [
        own.transfer("B1", TransferIn(item="beef", qty=1, on=day(2026, 1, 21), to_book="B2"))
        for _ in range(3)
    ]
    assert [o.status for o in offers] == ["pending"] * 3
    assert other.accept_transfer(offers[0].id, decide).status == "done"
    assert other.reject_transfer(offers[1].id, decide).status == "rejected"
    assert own.withdraw_transfer(offers[2].id, decide).status == "withdrawn"
    assert other.get_transfer(offers[0].id).decided_on == day(2026, 1, 21)
    assert [t.status for t in other.list_transfers("B2")] == ["done", "rejected", "withdrawn"]
    order = ProcessingIn(
        order_id="P1",
        inputs={"beef": 1},
        outputs={"jerky": OutputIn(code="1602.50", qty=1)},
        batches=10,
        on=day(2026, 1, 22),
    )
    assert own.process("B1", order).produced == {"jerky": 10}
    positions = own.get_book("B1").state.positions
    assert (positions["beef"].qty, positions["jerky"].qty, positions["salt"].qty) == (8, 10, 10)

    jerky = LineIn(item="jerky", qty=2, price_fen=26_000)
    decided = own.declare(
        DeclarationIn(reference="D1", book="B1", port="xinhai", date=day(2026, 2, 1), lines=[jerky])
    )
    assert decided.lines[0].value_added == 0.3 and decided.lines[0].duty_exempt is True
    assert own.get_declaration(decided.id) == decided
    assert [d.reference for d in own.list_declarations("B1")] == ["D1"]
    found = InspectionIn(on=day(2026, 2, 1), channel="scan", result="clear")
    assert officer.record_inspection(decided.id, found).inspection is not None
    assert [r.result for r in officer.list_inspections(decided.id)] == ["clear"]

    assert own.admit_batch_exit("B1", OnIn(on=day(2026, 2, 1))).enabled is True
    shipment = ShipmentIn(
        book="B1", shipment_id="S1", item="beef", qty=1, on=day(2026, 2, 3), port="yangpu"
    )
    assert own.file_batch_list(shipment).period == "2026-02"
    assert own.batch_exit_status("B1", day(2026, 2, 4)).open_periods[0].period == "2026-02"
    consolidated = own.consolidate("B1", ConsolidatedIn(year=2026, month=2, on=day(2026, 3, 20)))
    assert consolidated.shipment_ids == ["S1"] and consolidated.late is False
    cause = SuspendIn(on=day(2026, 3, 21), cause=Reason.MISSING_PERMIT)
    assert officer.suspend_batch_exit("B1", cause).suspended == [Reason.MISSING_PERMIT]
    back = own.reinstate_batch_exit("B1", ReinstateIn(on=day(2026, 3, 22), permits_in_order=True))
    assert back.suspended == []

    check = DepartureCheckIn(
        date=day(2026, 2, 1), port="meilan", purchases=[DutyFreePurchaseIn(amount_fen=500_000)]
    )
    assert officer.departure_check("T1", check).decision == "pass"

    penalty = EventIn(date=day(2026, 6, 1), event="smuggling_penalty", department="anti_smuggling")
    assert platform.post_event("E1", penalty).tier_after == "key_attention"
    tier = officer.get_tier("E1", day(2026, 6, 2))
    assert tier.tier == "key_attention" and tier.grounds[0].source == "smuggling_penalty"
    assert officer.tier_members("key_attention", day(2026, 6, 2)).members == ["E1"]
    feed = platform.as_department("anti_smuggling").notifications()
    assert [(n.entity, n.to_tier) for n in feed.notifications][:1] == [("E1", "key_attention")]

    trail = officer.audit_trail(entity="E2")
    assert [r.operation for r in trail.records][-2:] == ["accept_transfer", "reject_transfer"]
    issued = platform.issue_token(TokenIn(role="officer"))
    assert platform.revoke_token(issued.id).revoked_at is not None

    assert called == {op.name for op in OPERATIONS}
    assert stored_late == []
    with app.state.db.read() as session:  # every key of the walk holds its answer
        unanswered = session.scalar(
            select(func.count())
            .select_from(IdempotencyKey)
            .where(IdempotencyKey.status_code.is_(None))
        )
        keys = session.scalar(select(func.count()).select_from(IdempotencyKey))
    assert unanswered == 0 and keys >= 30


def test_errors_arrive_as_typed_exceptions(api: Any) -> None:
    own = api.platform.as_enterprise("E1")
    ready_book(api.platform, "E1", "B1", qty=1)
    too_many = DeclarationIn(
        book="B1", port="xinhai", date=dt.date(2026, 2, 1), lines=[LineIn(item="beef", qty=5)]
    )
    with pytest.raises(Conflict) as refused:
        own.declare(too_many)
    assert refused.value.reason is Reason.INSUFFICIENT_BALANCE
    assert refused.value.problem is not None and refused.value.problem.context == {
        "item": "beef",
        "balance": 1,
        "requested": 5,
    }
    with pytest.raises(NotFound) as missing:
        own.get_book("GHOST")
    assert (missing.value.code, missing.value.field) == ("unknown_book", "path.book_id")


def test_the_async_client_drives_the_app(tmp_path: Path) -> None:
    app = create_app(
        Settings(db_url=f"sqlite:///{tmp_path / 'a.db'}", admin_token=ADMIN_TOKEN, access_log=False)
    )

    async def _session() -> None:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p") as http,
            AsyncPlatformClient(http=http, admin_token=ADMIN_TOKEN) as platform,
        ):
            assert (await platform.health()).status == "ok"
            entity = EntityIn(id="E1", kind="enterprise", code=uscc(1), registered_in_hainan=True)
            await platform.register_entity(entity)
            own = platform.as_enterprise("E1")
            await own.file_qualification(QualificationIn(entity="E1", on=dt.date(2026, 1, 5)))
            book = await own.file_book(BookIn(id="B1", entity="E1", on=dt.date(2026, 1, 5)))
            assert book.version == 1 and book.state.positions == {}
            with pytest.raises(NotFound):
                await own.get_book("GHOST")
            # health, register, the enterprise's token, qualification, book, the 404
            assert platform.stats.requests == 6

    try:
        asyncio.run(_session())
    finally:
        app.state.db.dispose()
