"""``customs-sim drill``: a user's mistake is one line and exit 2, and nothing is written."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _bad_catalogue(tmp_path: Path) -> Path:
    text = (ROOT / "scenarios" / "drills" / "travellers.yaml").read_text(encoding="utf-8")
    path = tmp_path / "drills.yaml"
    path.write_text(text.replace("amount_fen: 250000", "amount_fen: -5"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--processes", "full_process,smuggle"],
         "error: --processes: unknown process 'smuggle' (one of full_process, batch_exit, "
         "vehicle_exit, credit_department_grade, credit_smuggling_penalty, aeo_treatment, "
         "duty_free_quota, individual_violation)"),
        (["--ports", "xinhai", "--ports", "atlantis"],
         "error: --ports: unknown port id; known: xinhai, nangang, haikou, yangpu, basuo, "
         "sanya_port, qinglan, meilan, phoenix, boao (got 'atlantis')"),
        (["--processes", "duty_free_quota", "--ports", "xinhai"],
         "error: --ports: none of the processes runs at xinhai (duty_free_quota at "
         "meilan/phoenix/boao)"),
        (["--faults", "kill,earthquake"],
         "error: --faults: unknown fault 'earthquake' (one of kill, db_lock, network_cut)"),
        (["--faults", "db_lock", "--target", "http://127.0.0.1:1"],
         "error: --faults: db_lock needs the reference platform the drill starts itself "
         "(leave out --target)"),
        (["--target", "http://10.1.2.3:8000"],
         "error: --target: 10.1.2.3 is not loopback; pass --allow-remote to drive a platform "
         "on another machine (got 'http://10.1.2.3:8000')"),
        (["--set", "seed=3"],
         "error: --set: needs --scenario (the embedded defaults are set with a scenario file)"),
        (["--scenario", "nowhere.yaml"], "error: nowhere.yaml: "),
    ],
)
def test_a_mistake_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFPLATFORM_ADMIN_TOKEN", "t" * 40)
    out = tmp_path / "out"
    result = runner.invoke(app, ["drill", *args, "--out", str(out)])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith(line), lines
    assert not out.exists(), "nothing is written"


def test_a_wrong_catalogue_step_names_file_step_and_field(tmp_path: Path) -> None:
    path = _bad_catalogue(tmp_path)
    result = runner.invoke(app, ["drill", "--catalogue", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {path}: process duty_free_quota, step 3 ('departure over the quota'): "
        "body.purchases.0.amount_fen: Input should be greater than 0 (got -5)")
    assert not (tmp_path / "summary.json").exists()


def test_an_unreachable_target_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFPLATFORM_ADMIN_TOKEN", "t" * 40)
    url = f"http://127.0.0.1:{_free_port()}"
    result = runner.invoke(app, ["drill", "--target", url, "--processes", "duty_free_quota",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().startswith(f"error: --target: cannot reach {url}: ")
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "summary.json").exists()


def test_a_target_without_its_admin_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REFPLATFORM_ADMIN_TOKEN", raising=False)
    result = runner.invoke(app, ["drill", "--target", "http://127.0.0.1:8000", "--out",
                                 str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: --target: set REFPLATFORM_ADMIN_TOKEN to the target's admin token")


def test_out_must_be_a_directory(tmp_path: Path) -> None:
    file = tmp_path / "taken"
    file.write_text("x")
    result = runner.invoke(app, ["drill", "--out", str(file)])
    assert (result.exit_code, result.output.strip()) == (
        2, f"error: --out: not a directory (got {file})")
