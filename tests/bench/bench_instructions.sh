#!/usr/bin/env bash
# Instructions the listener executes per TLS 1.3 handshake, counted by valgrind's callgrind: unlike CPU time, the count
# does not move with the machine's load, so a few percent between two builds can be told from noise. `tlslab serve`
# handles 50 and then 150 handshakes from Python clients; the difference over 100 is the cost of one, with the
# start-up cost taken out. With the tap off, on, and (given a second binary, such as the previous round's build)
# the reference's. A benchmark: it prints figures and asserts nothing about them.
# Usage: bench_instructions.sh PATH/TO/tlslab [PATH/TO/reference-tlslab]
set -euo pipefail
TLSLAB=${1:?path to tlslab}
REFERENCE=${2:-}
command -v valgrind >/dev/null || { echo "handshakes.instructions: valgrind is not installed; skipped"; exit 0; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    -subj /CN=localhost -days 400 -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -addext basicConstraints=critical,CA:FALSE 2>/dev/null

# instructions BINARY CONNECTIONS [serve options...]: callgrind's total for a serve that ends after CONNECTIONS.
instructions() {
    local binary=$1 count=$2 port
    shift 2
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    TLSLAB_DATA_DIR="$WORK/data" valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$binary" serve \
        --listen "127.0.0.1:$port" --cert "$WORK/cert.pem" --key "$WORK/key.pem" --tls 1.3 --no-greeting \
        --max-connections "$count" "$@" >/dev/null 2>"$WORK/serve.err" &
    local server=$!
    # The first connection only waits for the port (a plain connect and close); the others handshake and close.
    python3 - "$port" "$count" <<'PY'
import socket, ssl, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
for _ in range(600):
    try:
        socket.create_connection(("127.0.0.1", port)).close()
        break
    except OSError:
        time.sleep(0.1)
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
context.minimum_version = ssl.TLSVersion.TLSv1_3
for _ in range(count - 1):
    context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost").close()
PY
    wait "$server"
    sed -n 's/^summary: //p' "$WORK/cg.out"
}
per_handshake() { # BINARY [serve options...]
    local few many
    few=$(instructions "$1" 51 "${@:2}")
    many=$(instructions "$1" 151 "${@:2}")
    echo $(((many - few) / 100))
}
OFF=$(per_handshake "$TLSLAB" --no-tap --no-capture)
ON=$(per_handshake "$TLSLAB" --no-capture)
echo "handshakes.instructions_per_handshake_tap_off: $OFF"
echo "handshakes.instructions_per_handshake_tap_on: $ON"
awk -v on="$ON" -v off="$OFF" 'BEGIN { printf "handshakes.instructions_tap_on_to_off: %.2f\n", on / off }'
if [[ -n $REFERENCE ]]; then
    REF=$(per_handshake "$REFERENCE")
    echo "handshakes.instructions_per_handshake_reference: $REF"
    awk -v off="$OFF" -v ref="$REF" 'BEGIN { printf "handshakes.instructions_tap_off_to_reference: %.3f\n", off / ref }'
fi
