#!/usr/bin/env bash
# Handshake throughput of `tlslab serve` (recording and printing every event, with the TLS tap on: every handshake
# message dissected and fingerprinted, the wire bytes kept, the capture file written) and of `tlslab serve --no-tap
# --no-capture` (what the previous round did: events printed, nothing inside the handshake) against `openssl s_server`,
# with the same EC P-256 certificate, TLS 1.3, under the same `openssl s_time -new` load, in one run. Prints the
# ratios, the server CPU time per handshake of each, the tap's own cost and the timeline's size per connection.
# A benchmark: it prints figures and asserts nothing about them.
# Given a reference build (the previous round's tlslab, say), its `serve` runs in the same rounds too, as it runs by
# default, so "no worse than before" is measured under one load.
# Usage: bench_handshakes.sh PATH/TO/tlslab [seconds per round] [rounds] [PATH/TO/reference-tlslab]
set -euo pipefail
TLSLAB=${1:?path to tlslab}
SECONDS_PER_ROUND=${2:-8}
ROUNDS=${3:-3}
REFERENCE=${4:-}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000)); }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    -subj /CN=localhost -days 2 -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null

P1=$(free_port)
openssl s_server -accept "127.0.0.1:$P1" -cert "$WORK/cert.pem" -key "$WORK/key.pem" -tls1_3 -quiet \
    </dev/zero >/dev/null 2>&1 &
OPENSSL_PID=$!
PIDS+=("$OPENSSL_PID")
P2=$(free_port)
"$TLSLAB" serve --listen "127.0.0.1:$P2" --cert "$WORK/cert.pem" --key "$WORK/key.pem" --tls 1.3 --no-greeting \
    >"$WORK/events.jsonl" 2>"$WORK/serve.err" &
TLSLAB_PID=$!
PIDS+=("$TLSLAB_PID")
P3=$(free_port)
"$TLSLAB" serve --listen "127.0.0.1:$P3" --cert "$WORK/cert.pem" --key "$WORK/key.pem" --tls 1.3 --no-greeting \
    --no-tap --no-capture >"$WORK/events-notap.jsonl" 2>"$WORK/serve-notap.err" &
NOTAP_PID=$!
PIDS+=("$NOTAP_PID")
wait_port "$P1"
wait_port "$P2"
wait_port "$P3"
if [[ -n $REFERENCE ]]; then
    P4=$(free_port)
    TLSLAB_DATA_DIR="$WORK/reference-data" "$REFERENCE" serve --listen "127.0.0.1:$P4" --cert "$WORK/cert.pem" \
        --key "$WORK/key.pem" --tls 1.3 --no-greeting >/dev/null 2>"$WORK/reference.err" &
    REFERENCE_PID=$!
    PIDS+=("$REFERENCE_PID")
    wait_port "$P4"
fi

TICK=$(getconf CLK_TCK)
declare -A CONNS=([openssl]=0 [tlslab]=0 [notap]=0 [reference]=0) TICKS=([openssl]=0 [tlslab]=0 [notap]=0 [reference]=0)
declare -A WALL=([openssl]=0 [tlslab]=0 [notap]=0 [reference]=0)
round() { # name pid port
    local before after out n
    before=$(cpu_ticks "$2")
    out=$(openssl s_time -connect "127.0.0.1:$3" -new -time "$SECONDS_PER_ROUND" 2>&1 || true)
    after=$(cpu_ticks "$2")
    n=$(sed -n 's/^\([0-9]*\) connections in [0-9.]* real seconds.*/\1/p' <<<"$out" | head -1)
    [[ -n $n ]] || { echo "s_time failed against $1: $out" >&2; exit 1; }
    CONNS[$1]=$((CONNS[$1] + n))
    TICKS[$1]=$((TICKS[$1] + after - before))
    WALL[$1]=$((WALL[$1] + SECONDS_PER_ROUND))
}
# Interleaved rounds, so that drifts of the machine's load touch both servers alike.
for _ in $(seq "$ROUNDS"); do
    round openssl "$OPENSSL_PID" "$P1"
    round tlslab "$TLSLAB_PID" "$P2"
    round notap "$NOTAP_PID" "$P3"
    if [[ -n $REFERENCE ]]; then round reference "$REFERENCE_PID" "$P4"; fi
done
EVENTS=$(wc -l <"$WORK/events.jsonl")
EVENT_BYTES=$(wc -c <"$WORK/events.jsonl")

awk -v oc="${CONNS[openssl]}" -v tc="${CONNS[tlslab]}" -v ot="${TICKS[openssl]}" -v tt="${TICKS[tlslab]}" \
    -v nc="${CONNS[notap]}" -v nt="${TICKS[notap]}" -v nw="${WALL[notap]}" -v evb="$EVENT_BYTES" \
    -v ow="${WALL[openssl]}" -v tw="${WALL[tlslab]}" -v hz="$TICK" -v ev="$EVENTS" 'BEGIN {
    printf "handshakes.openssl_s_server_conn_per_s: %.0f\n", oc / ow
    printf "handshakes.tlslab_serve_conn_per_s: %.0f\n", tc / tw
    printf "handshakes.ratio_tlslab_to_openssl: %.2f\n", (tc / tw) / (oc / ow)
    printf "handshakes.openssl_s_server_cpu_ms_per_handshake: %.3f\n", ot * 1000 / hz / oc
    printf "handshakes.tlslab_serve_cpu_ms_per_handshake: %.3f\n", tt * 1000 / hz / tc
    printf "handshakes.tlslab_events_recorded: %d (%.1f per connection)\n", ev, ev / tc
    printf "handshakes.tlslab_json_bytes_per_connection: %.0f\n", evb / tc
    printf "handshakes.tlslab_no_tap_conn_per_s: %.0f\n", nc / nw
    printf "handshakes.ratio_tlslab_no_tap_to_openssl: %.2f\n", (nc / nw) / (oc / ow)
    printf "handshakes.tlslab_no_tap_cpu_ms_per_handshake: %.3f\n", nt * 1000 / hz / nc
    printf "handshakes.cpu_ratio_tap_on_to_openssl: %.2f\n", (tt / tc) / (ot / oc)
    printf "handshakes.cpu_ratio_tap_off_to_openssl: %.2f\n", (nt / nc) / (ot / oc)
    printf "handshakes.tap_cost_cpu_ms_per_handshake: %.3f\n", tt * 1000 / hz / tc - nt * 1000 / hz / nc
}'
if [[ -n $REFERENCE ]]; then
    awk -v oc="${CONNS[openssl]}" -v ow="${WALL[openssl]}" -v ot="${TICKS[openssl]}" -v rc="${CONNS[reference]}" \
        -v rw="${WALL[reference]}" -v rt="${TICKS[reference]}" -v nc="${CONNS[notap]}" -v nw="${WALL[notap]}" \
        -v nt="${TICKS[notap]}" -v hz="$TICK" 'BEGIN {
        printf "handshakes.reference_conn_per_s: %.0f\n", rc / rw
        printf "handshakes.ratio_reference_to_openssl: %.2f\n", (rc / rw) / (oc / ow)
        printf "handshakes.reference_cpu_ms_per_handshake: %.3f\n", rt * 1000 / hz / rc
        printf "handshakes.cpu_ratio_tap_off_to_reference: %.2f\n", (nt / nc) / (rt / rc)
    }'
fi
