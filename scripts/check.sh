#!/usr/bin/env bash
# The quality gates, in the order a failure is cheapest to read: ruff (lint, then format),
# import-linter (the layers), mypy (types). Run by scripts/test.sh before the tests; exits on
# the first gate that fails. Assumes .venv is set up (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== ruff check"; .venv/bin/ruff check .
echo "== ruff format --check"; .venv/bin/ruff format --check .
echo "== import-linter"; .venv/bin/lint-imports

# mypy cannot follow setuptools' editable finder, so it checks the installed names through a
# tree of links: build/typecheck/caseledger/<room> -> <room>.
tree=build/typecheck/caseledger
rm -rf build/typecheck && mkdir -p "$tree"
for room in domain projections application cli tui fixtures; do ln -s "../../../$room" "$tree/$room"; done
echo "== mypy"; .venv/bin/mypy
