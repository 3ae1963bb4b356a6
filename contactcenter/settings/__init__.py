"""Settings split by environment: base, dev, test, prod. Everything else comes from the environment."""
