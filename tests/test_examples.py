"""Every example shown to a user runs: the README, docs/, scenario comments and ``--help``.

The examples are *found*, not listed here, so an example added anywhere is checked too:

- command lines: ``customs-sim ...`` lines in fenced ``sh``/``bash``/``shell``/``console`` blocks
  of ``README.md`` and ``docs/**/*.md``, in comments of ``scenarios/**/*.yaml``, and in every
  command's and option's ``--help`` text. Each is parsed by the real command-line parser (the
  command exists, every option exists, every value has its type), and its scenario, with its
  ``--set`` overrides, is loaded as the command would load it (so an unknown key or a setting
  the mode ignores fails here). Nothing is run: parsing and loading is what an example can get
  wrong.
- synopses: ``customs-sim ...`` in inline code (the README's command table), with placeholders
  such as ``SCENARIO`` or ``[--seed N]``: the command path and every option named must exist.
- ``--set path=value`` fragments anywhere in those texts: the path must name a field of the
  scenario schema (values may be placeholders).
- error lines shown in the README (``error: --set: PATH: MESSAGE (got VALUE)``, or with a
  scenario file; an unknown key shows no value): reproduced, word for word.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main

from sim.cli import app
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.paths import resolve

ROOT = Path(__file__).resolve().parent.parent
CLI = typer.main.get_command(app)
SHELLS = {"sh", "bash", "shell", "console"}
SCENARIO_PARAMS = {"scenario_file", "file", "scenario"}
RUN_COMMANDS = {("run",), ("validate",)}  # the others read only part of a scenario
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*(=[A-Z_.]+)?$|[\[\]|]|\.\.\.")


@dataclass(frozen=True)
class Example:
    """A piece of text shown to a user, and where it was found."""

    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _fenced(text: str) -> Iterator[tuple[str, str]]:
    """(language, body) of every fenced block."""
    for match in re.finditer(r"^```([\w-]*)\n(.*?)^```", text, re.S | re.M):
        yield match.group(1), match.group(2)


def _joined_lines(body: str) -> Iterator[str]:
    """Lines with backslash continuations joined and comments after `` # `` dropped."""
    pending = ""
    for raw in body.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        full = re.sub(r"\s+#.*$", "", full)
        yield full.removeprefix("$ ")


def _commands_in(text: str) -> Iterator[str]:
    for match in re.finditer(r"customs-sim(?: [^\n`|]*[^\s`|.,;:)])?", text):
        yield match.group(0)


# Typer carries its own copy of Click, so commands are recognised by what they have.
Command = Any


def _is_group(command: Command) -> bool:
    return hasattr(command, "commands")


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def _help_texts(command: Command, path: tuple[str, ...] = ()) -> Iterator[Example]:
    where = " ".join(["customs-sim", *path, "--help"])
    for text in (command.help, command.short_help, command.epilog):
        if text:
            yield Example(where, text)
    for param in command.params:
        if _is_option(param) and param.help:
            yield Example(where, param.help)
    if _is_group(command):
        for name, sub in command.commands.items():
            yield from _help_texts(sub, (*path, name))


def _command_lines() -> list[Example]:
    found: list[Example] = []
    for md in _markdown_files():
        for language, body in _fenced(md.read_text(encoding="utf-8")):
            if language in SHELLS:
                found += [Example(md.name, line) for line in _joined_lines(body)
                          if line.startswith("customs-sim ")]  # fmt: skip
    for yml in sorted((ROOT / "scenarios").rglob("*.yaml")):
        for line in yml.read_text(encoding="utf-8").splitlines():
            comment = line.strip()
            if comment.startswith("#"):
                where = str(yml.relative_to(ROOT))
                found += [Example(where, c) for c in _commands_in(comment.lstrip("# "))]
    for help_text in _help_texts(CLI):
        found += [Example(help_text.where, c) for c in _commands_in(help_text.text)]
    return [e for e in found if not any(_PLACEHOLDER.search(t) for t in e.text.split())]


def _synopses() -> list[Example]:
    found = []
    for md in _markdown_files():
        prose = re.sub(r"^```.*?^```", "", md.read_text(encoding="utf-8"), flags=re.S | re.M)
        for span in re.findall(r"`(customs-sim [^`]+)`", prose):
            found.append(Example(md.name, span.replace("\\|", "|")))
    return found


def _set_fragments() -> list[Example]:
    texts = [Example(md.name, md.read_text(encoding="utf-8")) for md in _markdown_files()]
    texts += [Example(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
              for p in sorted((ROOT / "scenarios").rglob("*.yaml"))]  # fmt: skip
    texts += list(_help_texts(CLI))
    found = []
    for text in texts:
        for path in re.findall(r"--set[ =]([A-Za-z_][\w.]*)=", text.text):
            if path not in {"dotted.path", "PATH"}:
                found.append(Example(text.where, path))
    return found


def _resolve_command(tokens: list[str]) -> tuple[tuple[str, ...], Command, list[str]]:
    command: Command = CLI
    path: tuple[str, ...] = ()
    rest = list(tokens)
    while _is_group(command) and rest:
        if rest[0] in command.commands:
            name = rest.pop(0)
        elif getattr(command, "default_command", None) and not rest[0].startswith("-"):
            name = command.default_command  # e.g. ``workload SCENARIO`` is ``workload export``
        else:
            break
        path = (*path, name)
        command = command.commands[name]
    return path, command, rest


def _option_names(command: Command) -> set[str]:
    names: set[str] = {"--help"}
    for param in command.params:
        if _is_option(param):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


COMMANDS = _command_lines()
SYNOPSES = _synopses()
FRAGMENTS = _set_fragments()


def test_examples_were_found_in_every_place() -> None:
    places = {e.where.split(":")[0] for e in COMMANDS}
    assert "README.md" in places
    assert any(p.startswith("scenarios/") for p in places)
    assert any("--help" in p for p in {e.where for e in FRAGMENTS})
    assert len(SYNOPSES) >= 8


@pytest.mark.parametrize("example", COMMANDS, ids=str)
def test_command_line_example_parses_and_its_scenario_loads(
    example: Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # examples name scenarios relative to the repository root
    tokens = shlex.split(example.text)[1:]
    path, command, args = _resolve_command(tokens)
    assert not _is_group(command), f"{example}: no such command"
    try:
        ctx = command.make_context("customs-sim " + " ".join(path), args)
    except Exception as exc:  # Click's usage errors, from Typer's copy of Click
        if not hasattr(exc, "format_message"):
            raise
        pytest.fail(f"{example}: {exc.format_message()}")
    scenario_param = next((k for k in SCENARIO_PARAMS if ctx.params.get(k)), None)
    if scenario_param is None:
        return
    overrides = list(ctx.params.get("set_") or [])
    if ctx.params.get("seed") is not None and path == ("run",):
        overrides.append(f"seed={ctx.params['seed']}")
    try:
        load_scenario(
            Path(ctx.params[scenario_param]), overrides, refuse_ignored=path in RUN_COMMANDS
        )
    except ScenarioError as exc:
        pytest.fail(f"{example}: {exc}")


@pytest.mark.parametrize("example", SYNOPSES, ids=str)
def test_synopsis_names_real_commands_and_options(example: Example) -> None:
    tokens = example.text.split()[1:]
    parent_path, _, _ = _resolve_command(tokens[:1])
    alternatives: list[list[str]] = [[]]
    for token in tokens:
        if token == "|":
            alternatives.append(list(parent_path))
        else:
            alternatives[-1].append(token)
    for words in alternatives:
        path, command, rest = _resolve_command(words)
        assert path, f"{example}: no command in {' '.join(words)!r}"
        assert not _is_group(command), f"{example}: {' '.join(path)} needs more"
        options = _option_names(command)
        for token in rest:
            name = token.strip("[]").split("=")[0]
            if name.startswith("--"):
                assert name in options, f"{example}: {' '.join(path)} has no option {name}"


@pytest.mark.parametrize("example", FRAGMENTS, ids=str)
def test_set_paths_name_scenario_fields(example: Example) -> None:
    assert resolve(Scenario, example.text.split(".")), f"{example.where}: no field {example.text}"


def _error_lines() -> list[Example]:
    found = []
    for md in _markdown_files():
        for _, body in _fenced(md.read_text(encoding="utf-8")):
            found += [Example(md.name, line) for line in body.splitlines()
                      if line.startswith("error: ")]  # fmt: skip
    return found


@pytest.mark.parametrize("example", _error_lines(), ids=str)
def test_error_lines_shown_are_the_errors_the_tool_prints(
    example: Example, tmp_path: Path
) -> None:
    match = re.fullmatch(r"error: (\S+): ([\w.]+): (.*?)(?: \(got (.*)\))?", example.text)
    assert match, f"{example}: not an 'error: FILE: PATH: MESSAGE [(got VALUE)]' line"
    source, dotted, _, shown_value = match.groups()
    value = "1" if shown_value is None else shown_value  # an unknown key shows no value
    if source == "--set":
        file, overrides = ROOT / "scenarios" / "baseline.yaml", [f"{dotted}={value}"]
    else:  # a scenario file holding just that value, under its keys
        file, overrides = tmp_path / Path(source).name, []
        nested = value
        for depth, key in enumerate(reversed(dotted.split("."))):
            nested = f"{{{key}: {nested}}}" if depth else f"{{{key}: {value}}}"
        file.write_text(nested + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(file, overrides)
    shown = str(info.value).replace(str(file), source)
    assert f"error: {shown}" == example.text
