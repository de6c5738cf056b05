"""The drill catalogue: the shipped one loads; a mistake is one line naming file, step, field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sim.drill.catalogue import (
    PORT_GROUPS,
    CatalogueError,
    catalogue_files,
    default_catalogue,
    load_catalogue,
)
from sim.rules.ports import PORTS

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "scenarios" / "drills"

HEAD = """
processes:
  p:
    title: a test process
    ports: seaports
    start: 2026-01-05
    roles:
      trader: {kind: enterprise, hainan: true, zero_tariff: true}
      person: {kind: individual, age: adult}
    steps:
      - {name: qualification, op: file_qualification, entity: trader, day: 0}
      - {name: book, op: file_book, entity: trader, day: 0}
      - {name: import, op: first_line_entry, entity: trader, day: 1,
         body: {entry_id: IN1, item: beef, code: "0202.30", qty: 10, value_fen: 1000}}
      - {name: booking, op: book_entry, entity: trader, day: 2, entry: IN1}
      - {name: exit, op: declare, entity: trader, day: 3,
         body: {lines: [{item: beef, qty: 1}]}}
"""


def _write(tmp_path: Path, extra_steps: str = "", head: str = HEAD) -> Path:
    path = tmp_path / "drill.yaml"
    text = textwrap.dedent(head)
    if extra_steps:
        text += textwrap.indent(textwrap.dedent(extra_steps), "      ")
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_catalogue_has_every_process_of_the_issue() -> None:
    catalogue = load_catalogue([SHIPPED])
    assert set(catalogue.processes) == {
        "full_process", "batch_exit", "vehicle_exit", "credit_department_grade",
        "credit_smuggling_penalty", "aeo_treatment", "duty_free_quota", "individual_violation",
    }
    for process in catalogue.processes.values():
        kinds = {role.kind for role in process.roles.values()}
        # goods at the seven seaports, travellers at the three airports
        assert process.ports == PORT_GROUPS["airports" if kinds == {"individual"} else "seaports"]
    assert len(PORT_GROUPS["seaports"]) + len(PORT_GROUPS["airports"]) == len(PORTS)
    assert default_catalogue().resolve() == SHIPPED.resolve()


def test_fragments_expand_with_the_entity_in_each_step_name() -> None:
    process = load_catalogue([SHIPPED]).processes["aeo_treatment"]
    names = [s.name for s in process.steps]
    assert names[:2] == ["qualification filing (certified)", "account book filing (certified)"]
    assert "booking (listed)" in names
    assert {s.entity for s in process.steps[:4]} == {"certified"}


def test_a_valid_file_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue([_write(tmp_path)])
    assert [s.op for s in catalogue.processes["p"].steps][-1] == "declare"


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ("- {name: x, op: teleport, entity: trader, day: 1}",
         "step 6 ('x'): op: unknown operation (one of post_event, "),
        ("- {name: x, op: get_book, entity: smuggler}",
         "step 6 ('x'): entity: no such role (roles: trader, person) (got 'smuggler')"),
        ("- {name: x, op: get_book, entity: trader, day: 1, date: 2026-02-01}",
         "step 6 ('x'): date: give day or date, not both"),
        ("- {name: x, op: book_entry, entity: trader, entry: IN1}",
         "step 6 ('x'): day: book_entry is dated: give day (after the start) or date"),
        ("- {name: x, op: book_entry, entity: trader, day: 3, entry: IN7}",
         "step 6 ('x'): entry: no first-line entry of that id is filed earlier in the process "
         "(got 'IN7')"),
        ("- {name: x, op: declare, entity: trader, day: 3, body: {lines: [{item: beef, qty: 0}]}}",
         "step 6 ('x'): body.lines.0.qty: Input should be greater than 0 (got 0)"),
        ("- {name: x, op: declare, entity: trader, day: 3, body: {port: xinhai, "
         "lines: [{item: beef, qty: 1}]}}",
         "step 6 ('x'): body.port: filled in by the drill from the run"),
        ("- {name: x, op: declare, entity: trader, day: 3, body: {lines: [{item: beef, qty: 1, "
         "value_added: '0.3', price_fen: 5}]}}",
         "step 6 ('x'): body.lines.0.value_added: give value_added or price_fen, not both"),
        ("- {name: x, op: record_inspection, entity: trader, day: 3, of: booking, "
         "body: {channel: scan, result: clear}}",
         "step 6 ('x'): of: no earlier declare step has that name (got 'booking')"),
        ("- {name: x, op: accept_transfer, entity: trader, day: 3, of: exit}",
         "step 6 ('x'): of: no earlier transfer step has that name (got 'exit')"),
        ("- {name: x, op: reject_transfer, entity: trader, day: 3}",
         "step 6 ('x'): of: reject_transfer needs of: the transfer step it is about"),
        ("- {name: x, op: departure_check, entity: trader, day: 3, "
         "body: {purchases: [{amount_fen: 1}]}}",
         "step 6 ('x'): entity: departure_check is about an individual, trader is an enterprise"),
        ("- {name: exit, op: get_book, entity: trader}",
         "step 6 ('exit'): name: another step of the process has this name (got 'exit')"),
        ("- {name: x, op: get_book, entity: trader, colour: red}",
         "step 6 ('x'): colour: unknown field"),
        ("- {include: nowhere, entity: trader}",
         "step 6: include: no such fragment (known: none) (got 'nowhere')"),
        ("- {name: x, op: transfer, entity: trader, to: person, day: 3, "
         "body: {item: beef, qty: 1}}",
         "step 6 ('x'): to: no such enterprise role (got 'person')"),
    ],
)
def test_a_wrong_step_is_one_line_naming_file_step_and_field(
    tmp_path: Path, steps: str, message: str
) -> None:
    path = _write(tmp_path, steps)
    with pytest.raises(CatalogueError) as info:
        load_catalogue([path])
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: process p, ")
    assert message in text


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (HEAD.replace("ports: seaports", "ports: [xinhai, atlantis]"),
         "processes.p.ports: unknown port id 'atlantis'; known: xinhai, "),
        (HEAD.replace("person: {kind: individual, age: adult}",
                      "person: {kind: individual, hainan: true}"),
         "processes.p.roles.person: hainan: only for enterprises"),
        (HEAD.replace("start: 2026-01-05", "start: someday"),
         "processes.p.start: Input should be a valid date"),
        ("processes: [1, 2]\n", "processes: Input should be a valid dictionary"),
        ("processes:\n  p: {title: t\n", "not valid YAML at line"),
    ],
)
def test_a_wrong_process_is_one_line(tmp_path: Path, head: str, message: str) -> None:
    path = _write(tmp_path, head=head)
    with pytest.raises(CatalogueError) as info:
        load_catalogue([path])
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_selecting_an_unknown_process_names_the_known_ones() -> None:
    catalogue = load_catalogue([SHIPPED])
    with pytest.raises(CatalogueError, match=r"--processes: unknown process 'smuggling' \(one "
                       r"of full_process, batch_exit, "):
        catalogue.select(["full_process", "smuggling"])
    assert [p.id for p in catalogue.select(["batch_exit", "full_process"])] == [
        "full_process", "batch_exit"]


def test_catalogue_locations(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"no \*\.yaml drill catalogue files there"):
        catalogue_files(tmp_path)
    with pytest.raises(CatalogueError, match="no such file or directory"):
        catalogue_files(tmp_path / "missing.yaml")
    first = _write(tmp_path)
    second = tmp_path / "other.yaml"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"processes\.p: defined in .*drill\.yaml too"):
        load_catalogue([tmp_path])
