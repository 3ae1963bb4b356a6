"""Settings split by environment: base, dev, test, prod; values come from the environment."""
