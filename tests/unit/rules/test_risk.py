"""Risk routing rules, table-driven."""

from __future__ import annotations

import pytest

from sim.rules.ports import PORT_IDS, PORTS, port_fact
from sim.rules.risk import RoutingPolicy, is_detected, risk_score, route, scan_anomaly

POLICY = RoutingPolicy(
    scan_threshold=3.0,
    inspection_threshold=6.0,
    multipliers={"aeo": 0.2, "whitelist": 1.0, "key_attention": 3.0},
    floors={"aeo": 0.0, "whitelist": 0.02, "key_attention": 0.2},
)


def test_score_is_the_sum_of_present_weights() -> None:
    assert risk_score([True, False, True], [3.0, 2.0, 0.5]) == 3.5
    assert risk_score([], []) == 0.0
    with pytest.raises(ValueError, match="2 feature flags for 3 weights"):
        risk_score([True, False], [1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("score", "tier", "u", "expected"),
    [
        (0.0, "whitelist", 0.5, "release"),
        (0.0, "whitelist", 0.01, "scan"),  # random selection under the 2% floor
        (3.0, "whitelist", 0.9, "scan"),  # at the threshold counts
        (2.9, "whitelist", 0.9, "release"),
        (6.0, "whitelist", 0.9, "inspection"),
        (10.0, "aeo", 0.9, "release"),  # 10 x 0.2 = 2 < 3
        (15.0, "aeo", 0.9, "scan"),  # 3
        (0.0, "aeo", 0.0, "release"),  # AEO floor 0: never random
        (1.0, "key_attention", 0.9, "scan"),  # 1 x 3 = 3
        (2.0, "key_attention", 0.9, "inspection"),  # 6
        (0.0, "key_attention", 0.19, "scan"),
    ],
)
def test_route(score: float, tier: str, u: float, expected: str) -> None:
    assert route(score, tier, u, POLICY) == expected


def test_scan_anomaly_and_detection() -> None:
    assert scan_anomaly(True, 0.5, detection=0.85, false_alarm=0.03)
    assert not scan_anomaly(True, 0.9, detection=0.85, false_alarm=0.03)
    assert scan_anomaly(False, 0.02, detection=0.85, false_alarm=0.03)
    assert not scan_anomaly(False, 0.5, detection=0.85, false_alarm=0.03)
    p = {"release": 0.1, "scan": 0.85, "inspection": 0.95}
    assert is_detected(True, "inspection", 0.9, p)
    assert not is_detected(True, "inspection", 0.96, p)
    assert not is_detected(True, "scan", 0.0, p)  # scanned without anomaly: released, leaks
    assert is_detected(True, "release", 0.05, p)
    assert not is_detected(False, "inspection", 0.0, p)  # clean goods are never "detected"


def test_ten_ports_with_stable_ids_and_kinds() -> None:
    assert PORT_IDS == (
        "xinhai", "nangang", "haikou", "yangpu", "basuo",
        "sanya_port", "qinglan", "meilan", "phoenix", "boao",
    )  # fmt: skip
    kinds = [p.kind for p in PORTS]
    assert kinds.count("strait_roro") == 2 and kinds.count("airport") == 3
    assert port_fact("phoenix").name_zh == "凤凰机场"
    with pytest.raises(KeyError, match="unknown port id"):
        port_fact("guangzhou")
