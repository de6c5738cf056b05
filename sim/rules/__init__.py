"""Pure domain rules: credit tiers, goods regimes, account books, risk routing, port facts.

Nothing here imports the rest of the project, does I/O or keeps state: every rule is a function
of its inputs (and a date where the rule depends on one), so the model, the workload generator
and the reference platform all make the same decision from the same facts.
"""
