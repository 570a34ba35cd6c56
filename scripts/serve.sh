#!/usr/bin/env bash
# Set up everything and serve the app on http://127.0.0.1:5000 with the embedded SQLite
# database (instance/app.db) and demo data loaded on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
mkdir -p instance
echo "==> Cập nhật cơ sở dữ liệu (flask db upgrade)"
flask db upgrade
echo "==> Dữ liệu mẫu"
flask demo load
echo "==> Mở http://127.0.0.1:5000 (Ctrl+C để dừng)"
exec flask run --host 127.0.0.1 --port "${PORT:-5000}"
