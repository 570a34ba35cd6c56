# Sourced by serve.sh and test.sh: a virtual environment with the pinned packages and the
# compiled translation catalogues. Usage: source scripts/_setup.sh [dev]
PYTHON_BIN="${PYTHON_BIN:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  echo "==> Tạo môi trường ảo (.venv) với $PYTHON_BIN"
  "$PYTHON_BIN" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
REQS=requirements.txt
[ "${1:-}" = "dev" ] && REQS=requirements-dev.txt
STAMP=".venv/.installed-$(sha256sum requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)-${1:-run}"
if [ ! -f "$STAMP" ]; then
  echo "==> Cài đặt thư viện ($REQS)"
  python -m pip install -q --disable-pip-version-check --upgrade pip
  python -m pip install -q --disable-pip-version-check -r "$REQS"
  touch "$STAMP"
fi
echo "==> Biên dịch bản dịch (Babel)"
pybabel compile -d app/translations -f >/dev/null
export FLASK_APP=wsgi
