#!/usr/bin/env bash
# The main job on a fresh clone: set up, seed the demo data into the default SQLite store
# (once), and open caseledger on it. Extra arguments go to `caseledger demo`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec .venv/bin/caseledger demo "$@"
