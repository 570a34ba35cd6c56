#!/usr/bin/env bash
# Set up everything and run the whole test suite on SQLite, then on PostgreSQL.
# PostgreSQL: a fresh database on ${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres},
# dropped afterwards. With CI=true an unreachable PostgreSQL or chromium is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh dev

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "==> Cài chromium (Debian) cho kiểm thử trình duyệt"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# In parallel: one pytest-xdist worker per CPU, each on a database of its own (tests/fixtures/database.py).
# TEST_WORKERS=N chooses the number; TEST_WORKERS=0 runs everything in this one process.
PYTEST=(python -m pytest -q -p no:cacheprovider -n "${TEST_WORKERS:-auto}" --dist worksteal)

echo "==> Kiểm thử trên SQLite"
"${PYTEST[@]}" "$@"

PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
TEST_DB="pcb_test_$(date +%s)_$$"
if python scripts/pgdb.py create "$PG_ADMIN_URL" "$TEST_DB"; then
  trap 'python scripts/pgdb.py drop "$PG_ADMIN_URL" "$TEST_DB" || true' EXIT
  echo "==> Kiểm thử trên PostgreSQL ($TEST_DB)"
  TEST_DATABASE_URL="${PG_ADMIN_URL%/*}/$TEST_DB" "${PYTEST[@]}" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL không kết nối được ($PG_ADMIN_URL): với CI=true đây là lỗi." >&2
  exit 1
else
  echo "!! PostgreSQL không kết nối được ($PG_ADMIN_URL): bỏ qua lượt kiểm thử PostgreSQL."
fi
