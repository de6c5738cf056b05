"""The credit tiers: the one definition of the vocabulary every part of the harness uses.

The 2025 Hainan provisions on second-line clearance credit sort enterprises into three tiers:
*advanced certified* (AEO, certified by any customs in China), the *key-attention list*, and the
*whitelist* (everyone else, automatically, without applying). Individuals are whitelisted by
default or on the key-attention list. The order of :data:`TIERS` is also the int8 code the
columnar parts (population timelines, the model's arrays) store: ``TIERS[code]`` is the name.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["AEO", "KEY_ATTENTION", "TIERS", "WHITELIST", "Tier", "tier_code"]

Tier = Literal["aeo", "whitelist", "key_attention"]
AEO: Tier = "aeo"
WHITELIST: Tier = "whitelist"
KEY_ATTENTION: Tier = "key_attention"
TIERS: tuple[Tier, ...] = (AEO, WHITELIST, KEY_ATTENTION)
"""The tiers in code order (aeo = 0, whitelist = 1, key_attention = 2)."""

_CODE: dict[str, int] = {name: code for code, name in enumerate(TIERS)}


def tier_code(name: str) -> int:
    """The int8 code of a tier name.

    Raises:
        ValueError: for a name that is not a tier.
    """
    try:
        return _CODE[name]
    except KeyError:
        raise ValueError(f"unknown credit tier {name!r} (one of {', '.join(TIERS)})") from None
