#!/usr/bin/env bash
# The language server against a client nobody on this project wrote: headless Neovim
# runs tests/lsp/nvim_test.lua with docs/editors.md's configuration (`cargo pairlint lsp`,
# found through PATH as cargo finds any subcommand). Needs `nvim` (>= 0.7);
# .ci/run installs it. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v nvim >/dev/null 2>&1; then
  echo "run-nvim.sh: nvim not found (Debian: apt-get install -y neovim)" >&2
  exit 2
fi
nvim --version | head -1

cargo build --quiet --bin cargo-pairlint
export PATH="$PWD/target/debug:$PATH"
# A private XDG home so no user config, plugin or old log takes part.
XDG_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_HOME"' EXIT
export XDG_CONFIG_HOME="$XDG_HOME/config" XDG_DATA_HOME="$XDG_HOME/data" \
  XDG_STATE_HOME="$XDG_HOME/state" XDG_CACHE_HOME="$XDG_HOME/cache"
timeout 120 nvim --headless --clean -c 'luafile tests/lsp/nvim_test.lua'
