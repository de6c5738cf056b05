"""Second-line credit: the public API of credit tiers, histories and notifications.

Under the 2025 Hainan provisions on second-line clearance credit every enterprise is ``aeo``
(advanced certified), on the ``key_attention`` list, or on the ``whitelist`` (everyone else,
automatically); every individual is on the ``whitelist`` or the ``key_attention`` list. The tier
is a function of the entity's dated history and a date, so as-of queries and multi-year runs are
exact. The concept is split into four modules; import from here:

- :mod:`sim.rules.credit_table`: department rating scales and their mutual recognition into one
  unified result, as data (``data/credit_scales.yaml``), overridable (``load_table``).
- :mod:`sim.rules.history`: history records, one JSON object a line, checked with located errors;
  :mod:`sim.rules.history_writer`: the streaming, atomic writer.
- :mod:`sim.rules.credit_classify`: ``classify(events, as_of)`` and ``tier_timeline`` (grounds,
  categories, lapse dates; the decisions taken where the rules are silent are listed there).
- :mod:`sim.rules.credit_notify`: a notification to the departments concerned for every change.

Example::

    from datetime import date
    from sim.rules.credit import classify, read_history

    history = read_history("out/pop/history.jsonl")
    result = classify(history["E1"], date(2026, 6, 1))
    result.tier, [(g.category, g.source, g.lapses) for g in result.grounds]
"""

from __future__ import annotations

from sim.rules.credit_classify import (
    AEO,
    KEY_ATTENTION,
    TIERS,
    WHITELIST,
    Classification,
    Ground,
    Tier,
    TierChange,
    add_years,
    classify,
    lapse_date,
    tier_timeline,
)
from sim.rules.credit_notify import (
    Notification,
    departments_to_notify,
    history_notifications,
    notifications,
    notify_change,
)
from sim.rules.credit_table import (
    CreditTable,
    CreditTableError,
    DepartmentScale,
    default_table,
    is_valid_grade,
    load_table,
    lowest_grade,
    packaged_table_data,
)
from sim.rules.history import (
    ENTERPRISE_EVENTS,
    EVENTS,
    INDIVIDUAL_EVENTS,
    CreditEvent,
    EntityKind,
    EventKind,
    HistoryError,
    group_by_entity,
    parse_history,
    parse_record,
    read_history,
)
from sim.rules.history_writer import HistoryWriter, write_history

__all__ = [
    "AEO",
    "ENTERPRISE_EVENTS",
    "EVENTS",
    "INDIVIDUAL_EVENTS",
    "KEY_ATTENTION",
    "TIERS",
    "WHITELIST",
    "Classification",
    "CreditEvent",
    "CreditTable",
    "CreditTableError",
    "DepartmentScale",
    "EntityKind",
    "EventKind",
    "Ground",
    "HistoryError",
    "HistoryWriter",
    "Notification",
    "Tier",
    "TierChange",
    "add_years",
    "classify",
    "default_table",
    "departments_to_notify",
    "group_by_entity",
    "history_notifications",
    "is_valid_grade",
    "lapse_date",
    "load_table",
    "lowest_grade",
    "notifications",
    "notify_change",
    "packaged_table_data",
    "parse_history",
    "parse_record",
    "read_history",
    "tier_timeline",
    "write_history",
]
