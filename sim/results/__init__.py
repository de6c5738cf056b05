"""Run outputs as plain data: records, KPIs."""
