#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need when it is missing
# (Chromium and Prometheus from Debian's packages, wrk for benchmarks is not needed here,
# moto in a local Python venv), starts moto on loopback, runs every test.
# Under CI=true nothing is skipped: the tests themselves fail when a dependency is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
JUNITPARSER_VERSION="5.0.3"
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# The exporter tests scrape with a real Prometheus and lint with promtool (both in `prometheus`);
# the man-page test renders with groff; the CDP driver (tests/it/entry/cdp.mjs) runs on Node.js.
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need_apt+=(prometheus)
command -v groff >/dev/null 2>&1 || need_apt+=(groff-base)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
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
# The JUnit consumer the CI-format tests read reports back with.
if ! .venv/bin/python -c "import junitparser" 2>/dev/null; then
  echo "test.sh: installing junitparser==$JUNITPARSER_VERSION into .venv" >&2
  .venv/bin/pip install -q "junitparser==$JUNITPARSER_VERSION"
fi

export CORSPROBE_CHROMIUM="${CORSPROBE_CHROMIUM:-$(command -v chromium || true)}"
export CORSPROBE_MOTO_SERVER="${CORSPROBE_MOTO_SERVER:-$PWD/.venv/bin/moto_server}"
export CORSPROBE_PYTHON="${CORSPROBE_PYTHON:-$PWD/.venv/bin/python}"
export CORSPROBE_PROMETHEUS="${CORSPROBE_PROMETHEUS:-$(command -v prometheus || true)}"
export CORSPROBE_PROMTOOL="${CORSPROBE_PROMTOOL:-$(command -v promtool || true)}"
export CORSPROBE_NODE="${CORSPROBE_NODE:-$(command -v node || true)}"

cargo test --locked "$@"
