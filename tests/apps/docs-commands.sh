#!/bin/sh
# What the documentation shows is what the software does: every command of README.md,
# docs/*.md and job-scripts/README.md is run (or skipped for a stated reason) and the
# output the documentation shows beside a command must be what it prints
# (tests/apps/docs_commands.py explains the rules).
. "$(dirname "$0")/../common.sh"
py=${PT_PYTHON:-python3}
command -v "$py" >/dev/null 2>&1 || { echo "no Python 3: skipped"; exit 77; }
[ -x "$top_builddir/apps/heat/partita-heat" ] || { echo "partita-heat not built: skipped"; exit 77; }
"$py" "$top_srcdir/tests/apps/docs_commands.py" "$top_builddir" "$top_srcdir" "$PT_TMP" \
  "$top_srcdir/README.md" "$top_srcdir"/docs/*.md "$top_srcdir/job-scripts/README.md" ||
  fail "the documentation shows commands or output the software does not match"
