#!/bin/sh
# partita-heat's part of the bad-input matrix (issue 9), which lives in tests/apps/bad-input/.
exec "${SHELL:-/bin/sh}" "$(dirname "$0")/bad-input/heat.sh"
