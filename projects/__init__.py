"""Clients, their projects, business hours and KPI targets; who may see which project."""
