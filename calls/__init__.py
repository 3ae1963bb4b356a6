"""Call records (CDRs) and the callers behind them (contacts)."""
