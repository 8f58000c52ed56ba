#!/usr/bin/env bash
# Run the whole test suite (works on a fresh clone): scripts/test.sh [pytest args...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# The PostgreSQL tests need initdb/pg_ctl; Debian keeps them off PATH.
if ! command -v initdb >/dev/null 2>&1; then
  for d in /usr/lib/postgresql/*/bin; do   # ascending order: newest ends up first
    if [ -x "$d/initdb" ]; then PATH="$d:$PATH"; fi
  done
  export PATH
fi

exec .venv/bin/python -m pytest -q "$@"
