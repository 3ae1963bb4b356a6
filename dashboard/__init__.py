"""The PM dashboard: KPI charts drawn server-side (top layer)."""
