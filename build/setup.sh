#!/usr/bin/env bash
# One-time (idempotent) set-up on a fresh machine: system packages the tests and examples need,
# then the npm dependencies from the lock file. Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: clang + lld + wasi-libc (+ compiler-rt builtins) compile the C test programs to
# wasm32-wasi; git installs plugins from git sources; util-linux's `script` gives the terminal tests a
# pseudo-terminal; procps has pgrep for the process-leak tests; bubblewrap contains native plugins
# (and its tests), libc6-dev lets clang build the native C test plugin. chromium is the browser Playwright drives (browser mode's tests; never a downloaded one).
# g++ + make + python3 build fs-ext (flock on state.json.lock, as the fledge CLI) at npm ci; util-linux's
# flock(1) and python3's fcntl.flock play the CLI's side in the lock tests.
APT_PACKAGES=(clang lld wasi-libc libclang-rt-14-dev-wasm32 git bsdutils procps g++ make python3 util-linux bubblewrap libc6-dev chromium)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# fs-ext is compiled by node-gyp, which otherwise downloads Node's headers from nodejs.org (not
# reachable from every machine): when no nodedir is configured and this Node's own headers are
# installed (Debian's nodejs puts them in /usr/include/node), build against those.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -z "$(npm config get nodedir 2>/dev/null | grep -v '^undefined$' || true)" ] &&
  [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The pinned Node that sandbox processes are forked on outside Electron (browser mode, the CLI's runs:
# electron/engine/runs/sandbox-node.ts says why), in a folder of its own: its package puts a `node`
# in node_modules/.bin, which every npm script of the project would otherwise run on. Optional: on a
# platform it has no package for (or when the registry cannot be reached) the sandbox runs on the
# project's Node, as before.
SANDBOX_NODE=build/sandbox-node
if [ ! -d "$SANDBOX_NODE/node_modules" ] || [ "$SANDBOX_NODE/package-lock.json" -nt "$SANDBOX_NODE/node_modules/.package-lock.json" ]; then
  echo "setup: installing the sandbox's Node"
  npm ci --prefix "$SANDBOX_NODE" --no-audit --no-fund --loglevel=error ||
    echo "setup: the sandbox's Node could not be installed; sandboxes run on this Node instead"
fi
