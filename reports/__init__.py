"""Self-contained HTML reports of runs and experiments (Jinja2 templates, matplotlib plots).

:func:`render_directory` turns a results directory (``customs-sim run``'s ``kpis.json`` and
``records.parquet``, or an experiment's ``experiment.json``) into one HTML file that makes no
network request when opened and prints as it shows. Kinds of result are pluggable
(:mod:`reports.render`). This package imports only :mod:`sim.results` of the project.
"""

from reports.render import REPORT_FILE, ReportError, ReportKind, render_directory, report_kind

__all__ = ["REPORT_FILE", "ReportError", "ReportKind", "render_directory", "report_kind"]
