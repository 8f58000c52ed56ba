#!/usr/bin/env bash
# Run every benchmark (sets up .venv first). Figures print as Markdown rows for BENCHMARKS.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/setup.sh"
if ! command -v initdb >/dev/null 2>&1; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PATH="$d:$PATH"; done
  export PATH
fi
.venv/bin/python -m bench.import_bench "$@"
.venv/bin/python -m bench.projection_bench "$@"
.venv/bin/python -m bench.tui_bench "$@"
.venv/bin/python -m bench.load_bench
.venv/bin/python -m bench.rebuild_bench
.venv/bin/python -m bench.verify_bench
.venv/bin/python -m bench.scale_bench
.venv/bin/python -m bench.quit_bench
