#!/usr/bin/env bash
# Set up everything and serve the app with the embedded SQLite database (instance/app.db) and demo
# data loaded on first run. Address: http://$HOST:$PORT (127.0.0.1:5000 unless they are set).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
source scripts/_setup.sh
mkdir -p instance
echo "==> Cập nhật cơ sở dữ liệu (flask db upgrade)"
flask db upgrade
echo "==> Dữ liệu mẫu"
flask demo load
echo "==> Hàng đợi tác vụ (flask worker): gửi e-mail thông báo, quét việc quá hạn"
flask worker &
WORKER_PID=$!
trap 'kill "$WORKER_PID" 2>/dev/null || true' EXIT INT TERM
echo "==> Mở http://$HOST:$PORT (Ctrl+C để dừng)"
flask run --host "$HOST" --port "$PORT"
