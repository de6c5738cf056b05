"""Sources live in the product: every [S] and [D] figure cites an id listed in docs/sources.md.

``docs/sources.md`` lists each sourced figure with its value, its date and where it was found,
under an id. Every description of the scenario schema (what ``customs-sim schema`` prints), and
every default ``source`` of a flow, that marks a figure [S] or [D] must cite at least one of those
ids; every id cited in the schema, the shipped scenarios and the docs must be listed; and nothing
a user reads may point to files outside the repository (``../shared``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "docs" / "sources.md"
_ROW = re.compile(r"^\| `([a-z0-9][a-z0-9.\-]*)` \|", re.M)
_CITED = re.compile(r"\[[SD]\][ ,;(]*([a-z0-9]+(?:-[a-z0-9]+)+)")


def _ids() -> set[str]:
    return set(_ROW.findall(SOURCES.read_text(encoding="utf-8")))


def _descriptions(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "source") and isinstance(value, str):
                yield value
            else:
                yield from _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


def _schema_texts() -> list[str]:
    schema = Scenario.model_json_schema(by_alias=True)
    defaults = Scenario().model_dump(mode="json", by_alias=True)
    # The credit scale table is the rules' packaged data (sim/rules/data/credit_scales.yaml),
    # documented there with the rules; the scenario's own figures are checked here.
    defaults.pop("credit")
    return sorted(set(_descriptions(schema)) | set(_descriptions(defaults)))


def test_the_sources_file_lists_ids_once_each() -> None:
    rows = _ROW.findall(SOURCES.read_text(encoding="utf-8"))
    assert len(rows) >= 60
    assert len(rows) == len(set(rows)), "an id is listed twice"


@pytest.mark.parametrize("text", [t for t in _schema_texts() if "[S]" in t or "[D]" in t],
                         ids=lambda t: t[:60])  # fmt: skip
def test_every_sourced_figure_of_the_schema_cites_a_listed_source(text: str) -> None:
    ids = _ids()
    assert any(i in text for i in ids), f"cites no id of docs/sources.md: {text!r}"


def test_every_id_cited_anywhere_is_listed() -> None:
    ids = _ids()
    texts = _schema_texts()
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "scenarios").rglob("*.yaml"))]
    texts.append((ROOT / "README.md").read_text(encoding="utf-8"))
    cited = {match for text in texts for match in _CITED.findall(text)}
    cited |= {o.source for o in _validation_observations()}
    assert cited, "no citations found"
    assert cited <= ids, f"cited but not listed in docs/sources.md: {sorted(cited - ids)}"


def _validation_observations() -> list[Any]:
    from sim.scenario import load_scenario

    found = []
    for path in sorted((ROOT / "scenarios" / "validation").glob("*.yaml")):
        found += load_scenario(path).observed
    return found


def test_nothing_a_user_reads_points_outside_the_repository() -> None:
    paths = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
             *sorted((ROOT / "sim").rglob("*.py")), *sorted((ROOT / "scenarios").rglob("*.yaml"))]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/domain.md" not in text, path
        assert "shared/DESIGN.md" not in text, path


def test_the_readme_and_the_schema_point_to_the_sources() -> None:
    assert "docs/sources.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/sources.md" in Scenario.model_json_schema()["description"]
