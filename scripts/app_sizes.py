"""Lines of non-migration Python per app, and each app's share of all app code (issue 14's
done-when: ``calls`` at most 6,000 lines, no app over 25%). Run: python scripts/app_sizes.py;
exits 1 when a limit is broken."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["contactcenter", "projects", "agents", "calls", "quality", "workforce", "billing"]
APPS += ["dashboard", "demo", "alerts", "live", "wallboard", "telephony", "webhooks", "portal"]
APPS += ["selfservice"]
CALLS_MAX_LINES = 6_000
MAX_SHARE = 0.25


def app_lines(app: str) -> int:
    """Lines of the app's Python files, migrations left out."""
    files = (p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files)


def main() -> int:
    sizes = {app: app_lines(app) for app in APPS}
    total = sum(sizes.values())
    for app, lines in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"{app:<14} {lines:>6}  {lines / total:6.1%}")
    print(f"{'all apps':<14} {total:>6}")
    too_big = [app for app, lines in sizes.items() if lines / total > MAX_SHARE]
    if sizes["calls"] > CALLS_MAX_LINES or too_big:
        print(f"over: calls {sizes['calls']} (max {CALLS_MAX_LINES}); over 25%: {too_big}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
