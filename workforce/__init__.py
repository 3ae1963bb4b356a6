"""Workforce planning: Erlang C/A, forecast, staffing plan, scheduling, the insourcing
calculator, bench strength and the simulator."""
