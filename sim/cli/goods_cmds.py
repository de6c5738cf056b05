"""``customs-sim goods ...``: the goods rules at the command line, for quick what-is-due checks.

- ``goods tariff`` lists the tariff table (rates, taxed-list and permit flags);
- ``goods duties CODE VALUE_FEN`` prints, as one JSON object, which taxes a movement of goods
  owes and how much (``--regime``, ``--movement``, ``--value-added-met``);
- ``goods value-added --sale FEN --imported FEN --domestic FEN`` prints the value-added ratio
  (GAC 2025 art. 4) and whether the goods enter the mainland free of import duty.

``--tariff FILE`` reads another table (the official list, say). A bad table or an unknown code
ends in one ``error: ...`` line and exit status 2.
"""

from __future__ import annotations

import json
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from sim.cli.common import console, fail
from sim.rules.goods import (
    Movement,
    Regime,
    TariffTable,
    applicable_taxes,
    compute_duties,
    default_tariff,
    duty_exempt_by_value_added,
    load_tariff,
    value_added_ratio,
)
from sim.rules.refusals import Refusal

__all__ = ["goods_app", "goods_summary", "register"]

goods_app = typer.Typer(
    name="goods",
    help="Goods regimes: the tariff table, duties due on a movement, the value-added rule.",
    no_args_is_help=True,
)

TariffOption = Annotated[
    Path | None,
    typer.Option("--tariff", help="Tariff table YAML (default: the packaged one).", metavar="FILE"),
]
RegimeChoice = StrEnum("RegimeChoice", {r.name: r.value for r in Regime})  # type: ignore[misc]
MovementChoice = StrEnum("MovementChoice", {m.name: m.value for m in Movement})  # type: ignore[misc]


def _table(path: Path | None) -> TariffTable:
    if path is None:
        return default_tariff()
    try:
        return load_tariff(path)
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}")
    except ValueError as exc:
        fail(str(exc))


def _pct(rate: Fraction) -> str:
    return f"{float(rate) * 100:g}%"


@goods_app.command("tariff")
def tariff(table_file: TariffOption = None) -> None:
    """List the tariff table."""
    table = _table(table_file)
    out = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("code", "duty", "vat", "consumption", "taxed list", "permit", "description"):
        out.add_column(col)
    for line in table.values():
        out.add_row(line.code, _pct(line.duty), _pct(line.vat), _pct(line.consumption),
                    "yes" if line.taxed_list else "", "yes" if line.permit_required else "",
                    line.description)
    console.print(out)


@goods_app.command("duties")
def duties(
    code: Annotated[str, typer.Argument(help="Tariff code, e.g. 1602.50.")],
    value_fen: Annotated[int, typer.Argument(help="Customs value in fen.", min=0)],
    regime: Annotated[RegimeChoice, typer.Option(help="The goods' regime.")] = RegimeChoice(
        "zero_tariff"),
    movement: Annotated[MovementChoice, typer.Option(help="Where the goods go.")] = (
        MovementChoice("second_line_exit")),
    value_added_met: Annotated[
        bool, typer.Option(help="Processed goods meet the value-added rule.")
    ] = False,
    table_file: TariffOption = None,
) -> None:
    """Print the taxes a movement owes, in fen, as one JSON object."""
    table = _table(table_file)
    try:
        line = table.line(code)
        taxes = applicable_taxes(Regime(regime.value), Movement(movement.value), line,
                                 value_added_met=value_added_met)
    except Refusal as exc:
        fail(f"{code}: {exc.detail} ({exc.reason.value})")
    due = compute_duties(value_fen, line, taxes)
    print(json.dumps({"code": code, "value_fen": value_fen, "regime": regime.value,
                      "movement": movement.value, "taxes": {"duty": taxes.duty, "vat": taxes.vat,
                      "consumption": taxes.consumption}, **due.to_dict()}))  # fmt: skip


@goods_app.command("value-added")
def value_added(
    sale: Annotated[int, typer.Option(help="Domestic sale price, fen.", min=0)],
    imported: Annotated[int, typer.Option(help="Sum of imported inputs, fen.", min=0)],
    domestic: Annotated[int, typer.Option(help="Sum of domestic inputs, fen.", min=0)],
    encouraged: Annotated[bool, typer.Option(help="Made by an encouraged-industry firm.")] = True,
) -> None:
    """Print the value-added ratio and whether import duty is waived, as one JSON object."""
    ratio = value_added_ratio(sale, imported, domestic)
    exempt = duty_exempt_by_value_added(sale, imported, domestic, encouraged=encouraged)
    print(json.dumps({
        "ratio": None if ratio is None else {"num": ratio.numerator, "den": ratio.denominator,
                                             "percent": float(ratio) * 100},
        "duty_exempt": exempt,
    }))  # fmt: skip


def goods_summary(goods: dict[str, Any]) -> str:
    """One line on the goods block of a run's KPIs (printed by ``customs-sim run``)."""
    be = goods["batch_exit"]
    share = "-" if be["share"] is None else f"{100 * be['share']:.0f}%"
    duty = goods["duty_assessed_fen"]["total"]["total_fen"] / 100
    return (
        f"goods: {goods['enterprises']} enterprises, {goods['declarations']['total']} "
        f"declarations, {be['shipments']} batch-exit shipments ({share}), "
        f"{be['consolidated_declarations']} consolidated ({be['late_consolidated_declarations']} "
        f"late), {be['suspensions']} suspensions, duty assessed {duty:,.2f} CNY"
    )


def register(app: typer.Typer) -> None:
    """Add the ``goods`` group to ``app``."""
    app.add_typer(goods_app)
