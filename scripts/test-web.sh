#!/usr/bin/env bash
# Web tests: Vitest component tests (incl. the generated-client staleness check), then
# Playwright end-to-end tests in Debian's chromium against a real `kassa demo` server on the
# embedded PostgreSQL, with its own data folder, port and SMTP mail-catcher port.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -d web/dist ] && [ -d web/node_modules ] || bash scripts/build-web.sh

echo "== web: component tests (vitest)"
(cd web && npx --no-install vitest run)

if [ "${KASSA_WEB_E2E:-1}" = "0" ]; then echo "== web: e2e skipped (KASSA_WEB_E2E=0)"; exit 0; fi

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

export KASSA_DATA_DIR="$root/var/web-e2e"
export KASSA_PORT="${KASSA_E2E_PORT:-8791}"
export KASSA_SMTP_PORT="${KASSA_E2E_SMTP_PORT:-8831}"
export KASSA_COOKIE_SECURE=false
rm -rf "$KASSA_DATA_DIR"
mkdir -p "$KASSA_DATA_DIR" artifacts/screenshots
log="$root/artifacts/web-e2e-server.log"
echo "== starting kassa demo on 127.0.0.1:$KASSA_PORT (data: $KASSA_DATA_DIR)"
.venv/bin/kassa demo >"$log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true
  # The demo stops its embedded PostgreSQL on SIGTERM; if it could not (it hung and was
  # killed), the server would outlive it: a fast shutdown.
  pidfile="$KASSA_DATA_DIR/pg/postmaster.pid"
  if [ -f "$pidfile" ]; then kill -INT "$(head -1 "$pidfile")" 2>/dev/null || true; fi
}
trap stop EXIT
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$KASSA_PORT/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "the server exited:"; tail -50 "$log"; exit 1; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$KASSA_PORT/healthz" >/dev/null || { echo "the server did not start"; tail -50 "$log"; exit 1; }

echo "== web: end-to-end tests (chromium)"
KASSA_BASE_URL="http://127.0.0.1:$KASSA_PORT" KASSA_MAIL_DIR="$KASSA_DATA_DIR/mail" \
  KASSA_SCREENSHOTS="$root/artifacts/screenshots" node web/e2e/run.mjs
