#!/usr/bin/env bash
# Builds the web app into web/dist from web/package.json + web/package-lock.json:
#   1. npm ci (skipped when web/node_modules already matches the lockfile)
#   2. generate the typed API client from the back end's OpenAPI document (needs .venv: make env)
#   3. typecheck + vite build
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=node_modules/.kassa-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
node scripts/gen-api.mjs
npm run --silent build
