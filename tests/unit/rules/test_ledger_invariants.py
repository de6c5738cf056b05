"""Account-book invariants over random operation sequences (Hypothesis stateful testing).

Three books run random mixes of every operation, refusals included, while a shadow tally counts
what came in and what left. After every step: quantities and values are conserved, no balance is
negative, every unit that leaves is written off exactly once, duty on a batch shipment is assessed
exactly once (by the one declaration that covers it), and a refused operation changed nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from sim.rules.batch_exit import (
    admit_batch_exit,
    declare_consolidated,
    file_batch_shipment,
    reinstate_batch_exit,
    review_batch_exit,
)
from sim.rules.goods import Duties, Regime, default_tariff
from sim.rules.ledger import (
    BillOfMaterials,
    Book,
    ExitLine,
    book_entry,
    declare_exit,
    file_book,
    file_qualification,
    process,
    purchase_domestic,
    release_first_line,
    settle_overdue_entry,
    transfer,
    transfer_out,
)
from sim.rules.ledger_codec import book_from_dict, book_to_dict
from sim.rules.refusals import Reason, Refusal

T = default_tariff()
BOOKS = ("B0", "B1", "B2")
IMPORTS = {"beef": ("0202.30", Regime.ZERO_TARIFF), "whisky": ("2208.30", Regime.ZERO_TARIFF),
           "press": ("8462.29", Regime.RELAXED_TRADE), "rice": ("1006.30", Regime.ZERO_TARIFF)}
ITEMS = (*IMPORTS, "salt", "jerky")
BOM = BillOfMaterials({"beef": 2, "salt": 1}, {"jerky": ("1602.50", 1)})
qtys = st.integers(min_value=1, max_value=40)
picks = st.integers(min_value=0, max_value=1_000)
prices = st.integers(min_value=0, max_value=2_000_000)


class Ledgers(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.today = date(2025, 12, 20)
        tiers = {"B0": "aeo", "B1": "whitelist", "B2": "key_attention"}
        self.books: dict[str, Book] = {}
        for name in BOOKS:
            q = file_qualification(f"E{name}", hainan_registered=True, individual=False,
                                   encouraged=name != "B1", tier=tiers[name], on=self.today)
            b = file_book(name, q, self.today)
            self.books[name] = b if name == "B2" else admit_batch_exit(b, self.today)
        self.came_in: Counter[str] = Counter()  # first-line and domestic units, and products
        self.went: Counter[str] = Counter()  # consumed, transferred out, exported, shipped
        self.value_in = 0
        self.value_out = 0
        self.n = 0
        self.filed: dict[str, Duties] = {}  # batch shipment id -> duties computed at filing
        self.declared_ids: list[str] = []
        self.assessed = Duties()

    # -- helpers ----------------------------------------------------------------------------------

    def _try(self, names: tuple[str, ...], fn: Callable[[], Any]) -> Any:
        """Run an operation; on a refusal, check the books it was given are unchanged."""
        before = [book_to_dict(self.books[n]) for n in names]
        try:
            return fn()
        except Refusal as exc:
            assert isinstance(exc.reason, Reason)
            assert [book_to_dict(self.books[n]) for n in names] == before
            return None

    def _pick(self, name: str, pick: int, qty: int) -> tuple[str, int]:
        """Mostly an item the book holds and a quantity it can give; sometimes anything at all."""
        held = sorted(i for i, p in self.books[name].positions.items() if p.qty)
        if pick % 5 == 0 or not held:
            return ITEMS[pick % len(ITEMS)], qty
        item = held[pick % len(held)]
        return item, min(qty, self.books[name].positions[item].qty)

    def _id(self) -> str:
        self.n += 1
        return f"x{self.n}"

    # -- rules ------------------------------------------------------------------------------------

    @initialize(beef=st.integers(min_value=0, max_value=60), salt=st.integers(0, 30))
    def stock(self, beef: int, salt: int) -> None:
        """Opening stock, so that processing and exits are reached in most runs."""
        for name in BOOKS[:2]:
            if beef:
                self.release(name, "beef", beef, beef * 9_973, True)
            if salt:
                self.buy_salt(name, salt, salt * 101)

    @rule(days=st.integers(min_value=0, max_value=35))
    def advance(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule(name=st.sampled_from(BOOKS), item=st.sampled_from(sorted(IMPORTS)), qty=qtys,
          value=prices, book_now=st.booleans())
    def release(self, name: str, item: str, qty: int, value: int, book_now: bool) -> None:
        code, regime = IMPORTS[item]
        entry = self._id()
        r = self._try((name,), lambda: release_first_line(
            self.books[name], entry, item, code, qty, value, self.today, T, regime=regime))
        if r:
            self.books[name] = r[0]
            self.came_in[item] += qty
            self.value_in += value
            if book_now and r[1].pending:
                r = self._try((name,), lambda: book_entry(self.books[name], entry, self.today))
                if r:
                    self.books[name] = r[0]

    @rule(name=st.sampled_from(BOOKS), pick=st.integers(min_value=0, max_value=5))
    def book_or_settle(self, name: str, pick: int) -> None:
        pending = sorted(self.books[name].pending)
        if not pending:
            return
        entry = pending[pick % len(pending)]
        r = self._try((name,), lambda: book_entry(self.books[name], entry, self.today))
        if r is None:
            r = self._try((name,), lambda: settle_overdue_entry(
                self.books[name], entry, self.today, T))
        if r:
            self.books[name] = r[0]

    @rule(name=st.sampled_from(BOOKS), qty=qtys, value=prices)
    def buy_salt(self, name: str, qty: int, value: int) -> None:
        r = self._try((name,), lambda: purchase_domestic(
            self.books[name], "salt", "3926.90", qty, value, T))
        if r:
            self.books[name] = r[0]
            self.came_in["salt"] += qty
            self.value_in += value

    @rule(src=st.sampled_from(BOOKS), dst=st.sampled_from(BOOKS), pick=picks, qty=qtys)
    def move(self, src: str, dst: str, pick: int, qty: int) -> None:
        item, qty = self._pick(src, pick, qty)
        r = self._try((src, dst), lambda: transfer(
            self.books[src], self.books[dst], item, qty, self.today))
        if r:
            self.books[src], self.books[dst], out = r
            assert out.duties == Duties()

    @rule(name=st.sampled_from(BOOKS), pick=picks, qty=qtys, price=prices)
    def sell_on_island(self, name: str, pick: int, qty: int, price: int) -> None:
        item, qty = self._pick(name, pick, qty)
        lot = self.books[name].positions.get(item)
        r = self._try((name,), lambda: transfer_out(
            self.books[name], item, qty, self.today, T, price_fen=price))
        if r:
            self.books[name], out = r
            assert lot is not None
            if lot.regime is Regime.ORDINARY:
                assert out.duties == Duties()  # already settled: never assessed twice
            self.went[item] += qty
            self.value_out += out.imported_fen + out.domestic_fen

    @rule(name=st.sampled_from(BOOKS), batches=st.integers(min_value=1, max_value=3),
          anywhere=st.booleans())
    def make_jerky(self, name: str, batches: int, anywhere: bool) -> None:
        ready = [n for n in BOOKS
                 if {"beef", "salt"} <= {i for i, p in self.books[n].positions.items() if p.qty}]
        if ready and not anywhere:
            name = ready[len(ready) // 2]
        r = self._try((name,), lambda: process(
            self.books[name], self._id(), BOM, batches, self.today, T))
        if r:
            self.books[name], out = r
            for item, q in out.consumed.items():
                self.went[item] += q
            for item, q in out.produced.items():
                self.came_in[item] += q

    @rule(name=st.sampled_from(BOOKS), pick=picks, qty=qtys, price=prices)
    def export(self, name: str, pick: int, qty: int, price: int) -> None:
        item, qty = self._pick(name, pick, qty)
        r = self._try((name,), lambda: declare_exit(
            self.books[name], self._id(), [ExitLine(item, qty, price)], self.today, "xinhai", T))
        if r:
            self.books[name], decl = r
            self.went[item] += qty
            self.value_out += sum(ln.imported_fen + ln.domestic_fen for ln in decl.lines)

    @rule(name=st.sampled_from(BOOKS), pick=picks, qty=qtys, price=prices)
    def ship_in_batch(self, name: str, pick: int, qty: int, price: int) -> None:
        item, qty = self._pick(name, pick, qty)
        sid = self._id()
        lot = self.books[name].positions.get(item)
        r = self._try((name,), lambda: file_batch_shipment(
            self.books[name], sid, item, qty, self.today, "nangang", T, price_fen=price))
        if r:
            self.books[name], shipment = r
            assert lot is not None and self.books[name].batch.enabled
            self.filed[sid] = shipment.duties
            self.went[item] += qty
            if lot.qty == qty:
                self.value_out += lot.imported_fen + lot.domestic_fen
            else:  # the same floor split the ledger uses
                self.value_out += (lot.imported_fen * qty // lot.qty
                                   + lot.domestic_fen * qty // lot.qty)

    @rule(name=st.sampled_from(BOOKS))
    def consolidate(self, name: str) -> None:
        periods = sorted({(s.filed.year, s.filed.month)
                          for s in self.books[name].shipments.values()})
        for y, m in periods:
            r = self._try((name,), lambda y=y, m=m: declare_consolidated(  # type: ignore[misc]
                self.books[name], y, m, self.today))
            if r:
                self.books[name], decl = r
                assert not set(decl.shipment_ids) & set(self.declared_ids)
                self.declared_ids.extend(decl.shipment_ids)
                expected = Duties()
                for sid in decl.shipment_ids:
                    expected = expected.plus(self.filed[sid])
                assert decl.duties == expected
                self.assessed = self.assessed.plus(decl.duties)

    @rule(name=st.sampled_from(BOOKS))
    def review_and_reinstate(self, name: str) -> None:
        self.books[name] = review_batch_exit(self.books[name], self.today)
        r = self._try((name,), lambda: reinstate_batch_exit(self.books[name], self.today))
        if r:
            self.books[name] = r

    # -- invariants -------------------------------------------------------------------------------

    @invariant()
    def quantities_are_conserved_and_never_negative(self) -> None:
        held: Counter[str] = Counter()
        value = 0
        for b in self.books.values():
            for item, p in b.positions.items():
                assert p.qty >= 0 and p.imported_fen >= 0 and p.domestic_fen >= 0
                # An emptied position stays in the book, holding no value.
                assert p.qty or p.imported_fen == p.domestic_fen == 0
                held[item] += p.qty
                value += p.imported_fen + p.domestic_fen
            for e in b.pending.values():
                held[e.item] += e.qty
                value += e.value_fen
        for item in ITEMS:
            assert self.came_in[item] == held[item] + self.went[item], item
        assert self.value_in == value + self.value_out

    @invariant()
    def every_shipment_is_written_off_once_and_declared_at_most_once(self) -> None:
        open_ids = [sid for b in self.books.values() for sid in b.shipments]
        assert len(self.declared_ids) == len(set(self.declared_ids))
        assert sorted(open_ids + self.declared_ids) == sorted(self.filed)

    @invariant()
    def books_survive_a_round_trip(self) -> None:
        for b in self.books.values():
            assert book_from_dict(book_to_dict(b)) == b


TestLedgers = Ledgers.TestCase
TestLedgers.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
