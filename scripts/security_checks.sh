#!/usr/bin/env bash
# Security checks for `make lint` and CI: bandit over the app packages, pip-audit over the
# installed environment. Exits non-zero on any finding.
#
# bandit skips the checks that ruff's flake8-bandit rules (select "S" in pyproject.toml)
# already run on every line in `make lint`, where each accepted occurrence carries a
# `# noqa: S...` with its reason; bandit does not read those, and two suppression syntaxes
# on one line would drift apart:
#   B105, B106, B107  hard-coded passwords      = ruff S105, S106, S107
#   B311              pseudo-random generators  = ruff S311
#   B608              SQL built from strings    = ruff S608
# and one more:
#   B406              `import xml.sax`: the code imports xml.sax.saxutils.escape only, to
#                     escape text it writes into ReportLab markup; it parses no XML (a
#                     parsing call would still be reported, by B317).
#
# pip-audit asks PyPI's JSON API about each installed release (/pypi/NAME/VERSION/json).
# Where that endpoint does not answer (a registry mirror without it), nothing can be
# audited: the script says so loudly and, unless PIP_AUDIT_REQUIRED=1, does not fail on
# that alone. Where it answers, --strict makes any release it cannot audit a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV_BIN="${VENV_BIN:-.venv/bin}"
APP_PACKAGES=(contactcenter projects agents calls quality workforce billing live alerts dashboard wallboard demo telephony webhooks portal selfservice)
BANDIT_SKIPS="B105,B106,B107,B311,B406,B608"

echo "== bandit (${APP_PACKAGES[*]}; skipped, see this script: ${BANDIT_SKIPS})"
"$VENV_BIN/bandit" --recursive "${APP_PACKAGES[@]}" \
  --exclude "./tests,./.venv" \
  --skip "$BANDIT_SKIPS" \
  --severity-level low --confidence-level low \
  --quiet --format custom \
  --msg-template "{relpath}:{line}: {test_id} [{severity}/{confidence}] {msg}"
echo "bandit: no issues."

echo "== pip-audit (the installed environment, editable project skipped)"
probe_url="https://pypi.org/pypi/django/$("$VENV_BIN/python" -c 'import django; print(django.__version__)')/json"
if "$VENV_BIN/python" - "$probe_url" <<'EOF'
import sys
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=20) as answer:  # noqa: S310 - a fixed https URL
        sys.exit(0 if answer.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
then
  "$VENV_BIN/pip-audit" --strict --skip-editable --progress-spinner off
  echo "pip-audit: no known vulnerabilities."
else
  echo "pip-audit: PyPI's per-release JSON API does not answer from here ($probe_url):"
  echo "pip-audit: NO DEPENDENCY WAS AUDITED for known vulnerabilities."
  if [ "${PIP_AUDIT_REQUIRED:-0}" = "1" ]; then
    exit 1
  fi
fi
