"""The operators' own pages at /me/: schedule, time off, shift swaps, KPIs and QA scores."""
