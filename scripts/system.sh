#!/usr/bin/env bash
# The operating-system packages the checks need, installed from Debian's packages when missing
# (as root; otherwise the missing ones are named, with the command that installs them):
#   postgresql          initdb/pg_ctl for the throwaway PostgreSQL cluster of the tests
#   chromium            the headless browser the report's test opens the report in
#   poppler-utils       pdftotext: the report's test reads what each page of its PDF shows
#   nodejs, npm         npm ci installs axe-core, the accessibility audit the report's test runs
#   libpango-1.0-0 …    what WeasyPrint draws PDF reports with
#   faketime            runs the command line on a host whose clock says another time (the evening tests)
# Sourced by scripts/test.sh (and so by CI), not run.

missing=()
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing+=(postgresql)
fi
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
has_pango() {
  compgen -G '/usr/lib/*/libpangoft2-1.0.so.0' >/dev/null || compgen -G '/usr/lib*/libpangoft2-1.0.so.0' >/dev/null \
    || { command -v ldconfig >/dev/null 2>&1 && ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; }
}
if ! has_pango; then
  missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}" fonts-dejavu-core </dev/null
  else
    echo "caseledger: the checks need these OS packages: ${missing[*]}" >&2
    echo "caseledger: install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
