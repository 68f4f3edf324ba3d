#!/usr/bin/env bash
# Throughput benchmark (a benchmark, not a test): a matrix of >= 10,000 page requests against the
# built-in API Gateway emulator on loopback, rate limit off, next to wrk's raw request rate against
# the same server in the same run. Prints exchanges/s, peak RSS and the ratio.
#
#   bench/throughput.sh            # needs wrk (apt-get install wrk) and GNU time
#   ORIGINS=500 bench/throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ORIGINS="${ORIGINS:-250}"
DURATION="${DURATION:-5}"
CONNS="${CONNS:-32}"
PORT="${PORT:-$((20000 + RANDOM % 20000))}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 2; }

cargo build --release --locked -q
BIN=target/release/corsprobe
WORK="$(mktemp -d)"
trap 'kill $EMU 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" emulator --listen "127.0.0.1:$PORT" 2>/dev/null &
EMU=$!
for _ in $(seq 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then break; fi
  sleep 0.1
done

# The matrix: 20 route requests x ORIGINS origins x 2 credentials modes.
{
  echo 'name = "bench"'
  echo "target = \"http://127.0.0.1:$PORT\""
  printf 'origins = ['
  for i in $(seq 1 "$ORIGINS"); do printf '"https://app%d.example.com", ' "$i"; done
  echo '"https://app.example.com"]'
  echo 'credentials = ["omit", "include"]'
  echo '[safety]'
  echo 'allow_unsafe = true'
  echo 'rate_limit = 0'
  for r in healthy forgot-headers private throttled double-origin; do
    for m in GET POST; do
      printf '[[route]]\npath = "/rest/prod/%s"\nmethods = ["%s"]\n' "$r" "$m"
      printf '[[route]]\npath = "/rest/prod/%s"\nmethods = ["%s"]\ncontent_type = "application/json"\n' "$r" "$m"
    done
  done
} > "$WORK/matrix.toml"

echo "== wrk: GET /rest/prod/healthy with an Origin header, ${DURATION}s, $CONNS connections"
WRK_OUT="$(wrk -t1 -c"$CONNS" -d"${DURATION}s" -H 'Origin: https://app.example.com' "http://127.0.0.1:$PORT/rest/prod/healthy")"
echo "$WRK_OUT" | grep -E 'Requests/sec|requests in'
WRK_RPS="$(echo "$WRK_OUT" | awk '/Requests\/sec/ {print $2}')"

echo "== corsprobe run: matrix of $(( 20 * (ORIGINS + 1) * 2 )) page requests, rate limit off"
CORSPROBE_STATS=1 /usr/bin/time -f 'peak_rss_kib=%M wall=%e' "$BIN" run "$WORK/matrix.toml" \
  --no-rate-limit --concurrency "$CONNS" --format jsonl >/dev/null 2>"$WORK/err" || true
cat "$WORK/err"
EX_RPS="$(awk '/corsprobe stats/ {print $(NF-1)}' "$WORK/err")"
RSS_KIB="$(sed -n 's/.*peak_rss_kib=\([0-9]*\).*/\1/p' "$WORK/err")"
python3 - "$EX_RPS" "$WRK_RPS" "$RSS_KIB" <<'PY'
import sys
ex, wrk, rss = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"corsprobe: {ex:,.0f} HTTP exchanges/s; wrk: {wrk:,.0f} requests/s; ratio {ex/wrk:.2f} (aim >= 0.70)")
print(f"peak RSS: {rss/1024:.1f} MiB (aim <= 64 MiB)")
PY
