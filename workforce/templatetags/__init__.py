"""Template tags of the workforce pages."""
