"""The README's annotated scenario is a real, valid scenario (so the docs cannot rot)."""

from __future__ import annotations

import re
from pathlib import Path

from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_annotated_example_loads_and_means_what_it_says(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"```yaml\n(.*?)```", text, re.S)[0]
    # The example extends a shipped scenario by a relative path: place it beside them.
    path = ROOT / "scenarios" / f".readme-example-{tmp_path.name}.yaml"
    path.write_text(block, encoding="utf-8")
    try:
        scenario = load_scenario(path)
    finally:
        path.unlink()
    assert scenario.name == "fog_xinhai_more_lanes"
    assert scenario.ports.xinhai.resources.customs_channels == 10
    assert scenario.events.weather[0].ports == ["xinhai"]
    assert scenario.events.scanner_outages[0].scanners == 4
    # Inherited from spring_festival_peak.yaml and not restated: the South Port keeps its ferry.
    assert scenario.ports.nangang.ferry is not None
