#!/usr/bin/env bash
# Create the project's virtual environment and install the pinned dependencies.
# uv (from PyPI) is used when it can be had: it installs from uv.lock exactly and is
# 10-20x faster than pip here. Otherwise plain venv + pip install the same pins from
# requirements/*.txt (exported from uv.lock; tests check the two agree).
#   bash scripts/setup-python.sh .venv runtime   # what `arviointi run` needs (make report)
#   bash scripts/setup-python.sh .venv dev       # + the dev group: tests, linters (make test)
#   bash scripts/setup-python.sh .venv lab       # + dev + JupyterLab (make lab)
set -euo pipefail
venv=${1:-.venv}
mode=${2:-dev}
case "$mode" in
  runtime) groups=(--no-default-groups); reqs=(requirements/runtime.txt) ;;
  dev) groups=(--group dev); reqs=(requirements/dev.txt) ;;
  lab) groups=(--group dev --group lab); reqs=(requirements/lab.txt) ;;
  *) echo "arviointi setup: unknown mode '$mode' (runtime, dev or lab)" >&2; exit 2 ;;
esac
UV_VERSION=0.13.9
export UV_PYTHON_DOWNLOADS=never   # never fetch a Python build; use the machine's 3.11

py=$(command -v python3.11 || command -v python3 || true)
if [ -z "$py" ]; then
  echo "arviointi setup: Python 3.11 is required but neither python3.11 nor python3 was found." >&2
  exit 1
fi
if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "arviointi setup: Python 3.11 is required; $py is $("$py" --version 2>&1)." >&2
  exit 1
fi

uv_cmd=""
if command -v uv >/dev/null 2>&1; then
  uv_cmd=uv
elif "$py" -m uv --version >/dev/null 2>&1; then
  uv_cmd="$py -m uv"
elif "$py" -m pip install --quiet "uv==$UV_VERSION" >/dev/null 2>&1 && "$py" -m uv --version >/dev/null 2>&1; then
  uv_cmd="$py -m uv"
fi

if [ -n "$uv_cmd" ]; then
  echo "arviointi setup: installing ($mode) with uv into $venv"
  # --inexact keeps what another target installed (JupyterLab from 'make lab', the dev
  # tools when 'make report' runs after 'make test').
  UV_PROJECT_ENVIRONMENT="$venv" $uv_cmd sync --frozen --inexact "${groups[@]}" --python "$py"
else
  echo "arviointi setup: uv unavailable, falling back to pip (slower)"
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r "${reqs[0]}"
  "$venv/bin/python" -m pip install --quiet --no-deps -e .
fi
"$venv/bin/python" -c 'import arviointi' || { echo "arviointi setup: the package does not import" >&2; exit 1; }
