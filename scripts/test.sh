#!/usr/bin/env bash
# The project's one test command (the README's, and what CI runs): installs what the tests
# need on a fresh Debian machine, starts a throw-away PostgreSQL, runs pytest.
#   bash scripts/test.sh            all tests
#   bash scripts/test.sh -m "not browser"   extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium fonts-liberation)
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)  # the final evaluation's PDF is read back in tests
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "!! missing ${need_apt[*]} (install them with apt-get as root); browser/PostgreSQL tests will not run"
  fi
fi

# CI tests the Python that scripts/lock.sh locks for (PYTHON_VERSION there); another one may
# install other files than those CI ran, so say so.
lock_python=$(sed -n 's/^PYTHON_VERSION=//p' scripts/lock.sh)
case "$(python3 --version)" in
  "Python $lock_python".*) ;;
  *) echo "!! $(python3 --version), but the lock is made for Python $lock_python (scripts/lock.sh)" ;;
esac

if [ ! -x .venv/bin/python ]; then
  echo "== python3 -m venv .venv"
  python3 -m venv .venv
fi
# The lock, exactly: every package pinned and checked against its hashes (scripts/lock.sh makes it).
echo "== pip install --require-hashes -r requirements-dev.txt"
.venv/bin/pip install -q --disable-pip-version-check --require-hashes -r requirements-dev.txt

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  eval "$(bash scripts/start_postgres.sh)"
  trap 'bash scripts/start_postgres.sh stop' EXIT
  echo "== PostgreSQL at $KYMLAPSET_TEST_POSTGRES_URL"
fi

echo "== ruff (lint and format)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== pytest"
.venv/bin/python -m pytest "$@"
