#!/usr/bin/env bash
# The quality gates, in the order a failure is cheapest to read: ruff (lint, then format),
# import-linter (the layers), mypy (types: the product, the tests and the benchmarks). Run by
# scripts/test.sh before the tests and by the pre-commit hooks (.pre-commit-config.yaml), one gate
# each: `scripts/check.sh mypy` runs that gate alone. Exits on the first gate that fails. Assumes
# .venv is set up (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ruff_check() { echo "== ruff check"; .venv/bin/ruff check .; }
ruff_format() { echo "== ruff format --check"; .venv/bin/ruff format --check .; }
imports() { echo "== import-linter"; .venv/bin/lint-imports; }
types() {
  # mypy cannot follow setuptools' editable finder, so it checks the installed names through a
  # tree of links: build/typecheck/caseledger/<room> -> <room>.
  local tree=build/typecheck/caseledger
  rm -rf build/typecheck && mkdir -p "$tree"
  for room in domain projections application cli tui fixtures; do ln -s "../../../$room" "$tree/$room"; done
  echo "== mypy"; .venv/bin/mypy
}

gates=("$@")
[ ${#gates[@]} -gt 0 ] || gates=(ruff-check ruff-format imports mypy)
for gate in "${gates[@]}"; do
  case "$gate" in
    ruff-check) ruff_check ;;
    ruff-format) ruff_format ;;
    imports) imports ;;
    mypy) types ;;
    *) echo "scripts/check.sh: no gate '$gate' (ruff-check, ruff-format, imports, mypy)" >&2; exit 2 ;;
  esac
done
