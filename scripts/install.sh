#!/usr/bin/env bash
# Install mlprep into ./.venv on a fresh Debian (or any Linux with Python >= 3.11).
#   scripts/install.sh          runtime only
#   scripts/install.sh --test   runtime plus the test tools
#   scripts/install.sh --dev    editable install plus the test tools, for working on mlprep
# As root with apt-get it also installs the Debian packages it needs (python3-venv, bubblewrap, python3-numpy).
set -euo pipefail
cd "$(dirname "$0")/.."

extra=""
editable=""
case "${1:-}" in
  --test) extra="[test]" ;;
  --dev) extra="[test]"; editable="-e" ;;
  "") ;;
  *) echo "usage: scripts/install.sh [--test|--dev]" >&2; exit 2 ;;
esac

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "mlprep needs Python >= 3.11 (found: $("$python" --version 2>&1 || echo none)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

# Debian's python3 needs python3-venv for `python3 -m venv` (ensurepip).
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing python3-venv ..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    echo "Python's venv module is missing: install python3-venv (Debian/Ubuntu) and run this again" >&2
    exit 1
  fi
fi

# The code judge runs answers under bubblewrap with Debian's python3 (+ numpy for numpy questions).
need=()
command -v bwrap >/dev/null || need+=(bubblewrap)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3 python3-numpy)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need[*]} for the code judge ..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "warning: install ${need[*]} (Debian packages) for the code judge; without them coding answers are" \
      "not judged unless MLPREP_ALLOW_WEAK_SANDBOX=1" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check $editable ".$extra"
echo "mlprep installed in .venv ($(.venv/bin/mlprep --version))" >&2
