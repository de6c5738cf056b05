"""Report kinds: each module here registers one kind with :func:`reports.render.report_kind`.

Every module in this package is imported when the first report is rendered.
"""
