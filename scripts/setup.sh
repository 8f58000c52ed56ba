#!/usr/bin/env bash
# Shared by scripts/demo.sh and scripts/test.sh: create .venv on first use and install the
# project (pinned dependencies from pyproject.toml) into it. Sourced, not run.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e ".[${CASELEDGER_EXTRAS:-dev}]"
