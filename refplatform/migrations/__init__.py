"""Alembic migrations of the platform's schema, shipped inside the package.

Run them with :func:`refplatform.db.upgrade` (the application does on start); the scripts are
found next to this file, so an installed package migrates without an ``alembic.ini``.
"""
