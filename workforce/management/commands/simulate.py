"""``manage.py simulate --scenario FILE.json [--dry-run] [--what-if] [--days N]``."""

import time

from django.core.management.base import BaseCommand, CommandError

from workforce.simulation.engine import simulate, summarise
from workforce.simulation.load import simulation_store
from workforce.simulation.scenario import ScenarioError, scenario_load


def _pct(value):
    return "-" if value is None else f"{value * 100:5.1f}%"


def _secs(value):
    return "-" if value is None else f"{value:6.1f}"


def summary_lines(summary):
    """The printed summary: one line per project, then the pool."""
    lines = [
        f"{'project':<20} {'calls':>8} {'answered':>8} {'abandon':>8} {'SL':>7} "
        f"{'ASA s':>6} {'AHT s':>6} {'team occ':>8} {'SL ok':>7}"
    ]
    lines.extend(
        f"{row['project']:<20} {row['offered']:>8} {row['answered']:>8} "
        f"{row['abandoned']:>8} {_pct(row['service_level']):>7} "
        f"{_secs(row['asa_seconds']):>6} {_secs(row['aht_seconds']):>6} "
        f"{_pct(row['team_occupancy']):>8} {_pct(row['intervals_meeting_sl']):>7}"
        for row in summary["projects"]
    )
    pool = summary["pool"]
    lines.append(
        f"{'pool (' + pool['routing'] + ')':<20} {pool['offered']:>8} {pool['answered']:>8} "
        f"{pool['abandoned']:>8} {_pct(pool['service_level']):>7} "
        f"{_secs(pool['asa_seconds']):>6} {'':>6} {_pct(pool['occupancy']):>8}"
    )
    lines.append(
        f"{pool['operators']} operators, {pool['staffed_hours']:.0f} ready hours, "
        f"{pool['handle_hours']:.0f} handle hours: pool occupancy {_pct(pool['occupancy'])}."
    )
    return lines


def what_if_lines(pooled, dedicated):
    """Pooled and dedicated side by side, per project and for the pool."""
    head = (
        f"{'':<20} {'pooled':^33} | {'dedicated':^33}\n"
        f"{'project':<20} {'ops':>4} {'occ':>7} {'SL':>7} {'abandon':>7} {'ASA s':>6} | "
        f"{'ops':>4} {'occ':>7} {'SL':>7} {'abandon':>7} {'ASA s':>6}"
    )
    lines = [head]
    for a, b in zip(pooled["projects"], dedicated["projects"], strict=True):
        lines.append(
            f"{a['project']:<20} "
            + " | ".join(
                f"{r['operators']:>4} {_pct(r['team_occupancy']):>7} "
                f"{_pct(r['service_level']):>7} {_pct(r['abandon_rate']):>7} "
                f"{_secs(r['asa_seconds']):>6}"
                for r in (a, b)
            )
        )
    lines.append(
        f"{'pool':<20} "
        + " | ".join(
            f"{r['operators']:>4} {_pct(r['occupancy']):>7} {_pct(r['service_level']):>7} "
            f"{_pct(r['abandon_rate']):>7} {_secs(r['asa_seconds']):>6}"
            for r in (pooled["pool"], dedicated["pool"])
        )
    )
    lines.append("ops: operators whose first project it is; occ: their occupancy.")
    return lines


class Command(BaseCommand):
    help = (
        "Simulate a scenario (docs/simulation.md) and store its calls and agent events "
        "through ingestion; --dry-run only prints the summary; --what-if compares pooled "
        "and dedicated routing without storing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scenario", required=True, help="A scenario JSON file.")
        parser.add_argument("--dry-run", action="store_true", help="Simulate, do not store.")
        parser.add_argument(
            "--what-if", action="store_true", help="Pooled vs dedicated, nothing stored."
        )
        parser.add_argument("--days", type=int, help="Override the scenario's days.")
        parser.add_argument("--seed", type=int, help="Override the scenario's seed.")

    def handle(self, *args, scenario, dry_run, what_if, days=None, seed=None, **options):
        try:
            spec = scenario_load(scenario)
        except FileNotFoundError as error:
            raise CommandError(f"No such scenario file: {scenario}") from error
        except ScenarioError as error:
            raise CommandError(error.message) from error
        if days is not None:
            if days < 1:
                raise CommandError("--days must be at least 1.")
            spec = spec.with_days(days)
        if seed is not None:
            spec = spec.__class__(**{**spec.__dict__, "seed": seed})
        if what_if:
            pooled = summarise(simulate(spec.with_routing("pooled")))
            dedicated = summarise(simulate(spec.with_routing("dedicated")))
            self.stdout.write("\n".join(what_if_lines(pooled, dedicated)))
            return
        began = time.perf_counter()
        result = simulate(spec)
        simulated = time.perf_counter() - began
        self.stdout.write("\n".join(summary_lines(summarise(result))))
        self.stdout.write(f"Simulated {result.calls} calls in {simulated:.1f} s.")
        if dry_run:
            self.stdout.write("Dry run: nothing stored.")
            return
        began = time.perf_counter()
        loaded = simulation_store(result)
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored in {time.perf_counter() - began:.1f} s: {loaded.calls_created} new calls "
                f"({loaded.calls_duplicates} duplicates), {loaded.events_created} new agent "
                f"events ({loaded.events_duplicates} duplicates); created {loaded.clients} "
                f"clients, {loaded.projects} projects, {loaded.operators} operators, "
                f"{loaded.shifts} shifts, {loaded.absences} absences."
            )
        )
