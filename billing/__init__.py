"""Tariffs, rating, invoices and the per-year invoice numbering."""
