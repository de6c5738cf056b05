"""The README's example of driving the platform from Python runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.mark.slow
def test_the_readme_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Driving the platform from Python", 1)[1]
    example = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    exec(compile(example, "README.md", "exec"), {})
    printed = capsys.readouterr().out.strip()
    assert printed == "POST /v1/books: 409 duplicate_id (body.id): book 'B1' already exists"
