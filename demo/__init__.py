"""The demo: loaders of a believable month and the ``demo`` command (top layer)."""
