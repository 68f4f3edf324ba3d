#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need when it is missing
# (Chromium and Prometheus from Debian's packages, wrk for benchmarks is not needed here,
# moto in a local Python venv), starts moto on loopback, runs every test.
# Under CI=true nothing is skipped: the tests themselves fail when a dependency is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_apt[*]} from Debian's packages" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/moto_server ]; then
  echo "test.sh: creating .venv with moto[server]==$MOTO_VERSION" >&2
  python3 -m venv .venv
  .venv/bin/pip install -q "moto[server]==$MOTO_VERSION"
fi

export CORSPROBE_CHROMIUM="${CORSPROBE_CHROMIUM:-$(command -v chromium || true)}"
export CORSPROBE_MOTO_SERVER="${CORSPROBE_MOTO_SERVER:-$PWD/.venv/bin/moto_server}"

cargo test --locked "$@"
