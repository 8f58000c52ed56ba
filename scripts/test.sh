#!/usr/bin/env bash
# Every check, on a fresh clone too: set up .venv, run the quality gates (ruff, import-linter,
# mypy: scripts/check.sh), then the whole test suite (SQLite and a throwaway PostgreSQL, in
# parallel workers). Extra arguments go to pytest, e.g. scripts/test.sh -m "not postgres".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/system.sh"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

bash scripts/check.sh

echo "== npm ci (tests/browser: axe-core, the report's accessibility audit)"
(cd tests/browser && npm ci --no-audit --no-fund)

# The PostgreSQL tests need initdb/pg_ctl; Debian keeps them off PATH.
if ! command -v initdb >/dev/null 2>&1; then
  for d in /usr/lib/postgresql/*/bin; do   # ascending order: newest ends up first
    if [ -x "$d/initdb" ]; then PATH="$d:$PATH"; fi
  done
  export PATH
fi

echo "== pytest"
exec .venv/bin/python -m pytest -q --numprocesses auto "$@"
