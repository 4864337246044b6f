#!/usr/bin/env bash
# Runs the whole suite: Python tests (real PostgreSQL, SMTP, ...) and, when the web app
# exists, its component and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pytest "$@"
if [ -f web/package.json ] && [ -x scripts/test-web.sh ]; then
  bash scripts/test-web.sh
fi
