#!/usr/bin/env python3
"""The listener answers unusual and malformed clients as `openssl s_server` does, on the wire.

Each case sends the same bytes to `tlslab serve` and to `openssl s_server` (same certificate, loopback only) and
compares what comes back: the alert (read raw, or decrypted by Python's TLS stack after the handshake), a handshake
message, or a silent close. Then it checks that the timeline of `tlslab serve` says exactly that: an `alert-sent`
event marked as on the wire for the alert the client received, and none for a client that received nothing.

Usage: conformance.py TLSLAB_BINARY   (exit 0 when every case matches; prints one line per case)
"""
import json
import os
import re
import select
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

DEADLINE = time.monotonic() + 240  # the whole run is bounded


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_connectable(port, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 42: "bad_certificate", 47: "illegal_parameter", 48: "unknown_ca",
          50: "decode_error", 51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
          80: "internal_error", 109: "missing_extension", 110: "unsupported_extension",
          112: "unrecognized_name", 116: "certificate_required", 120: "no_application_protocol"}
HANDSHAKE = {2: "ServerHello", 11: "Certificate", 14: "ServerHelloDone"}


def read_answer(sock, seconds=3.0):
    """Reads until the peer closes or goes quiet; returns the bytes and how it ended."""
    data = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([sock], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            return data, "quiet"
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data, "reset"
        if not chunk:
            return data, "closed"
        data += chunk
    return data, "quiet"


def describe(data, ending):
    """The first record of a plaintext answer, in words: 'alert decode_error', 'handshake ServerHello', 'closed'."""
    if len(data) >= 7 and data[0] == 0x15:
        return "alert " + ALERTS.get(data[6], "code %d" % data[6])
    if len(data) >= 6 and data[0] == 0x16:
        return "handshake " + HANDSHAKE.get(data[5], "type %d" % data[5])
    if len(data) >= 1 and data[0] == 0x80:
        return "sslv2 answer"
    if data:
        return "bytes %s" % data[:8].hex()
    return "closed" if ending in ("closed", "reset") else "silent"


def python_hello(max_version=None):
    """A real ClientHello from Python's TLS stack, to send as it is or broken."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if max_version:
        ctx.maximum_version = max_version
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def hello_offsets(hello):
    """Offsets of the length fields in a one-record ClientHello."""
    sid = 5 + 4 + 2 + 32
    suites = sid + 1 + hello[sid]
    suites_len = int.from_bytes(hello[suites:suites + 2], "big")
    comp = suites + 2 + suites_len
    ext = comp + 1 + hello[comp]
    return {"session_id": sid, "suites": suites, "compression": comp, "extensions": ext}


def patched(data, offset, value, size):
    return data[:offset] + value.to_bytes(size, "big") + data[offset + size:]


def raw_case(port, payload, close_after=False):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        local = sock.getsockname()[1]
        sock.sendall(payload)
        if close_after:
            sock.shutdown(socket.SHUT_WR)
        data, ending = read_answer(sock)
        return local, describe(data, ending)


def alert_from_error(error):
    text = str(error)
    match = re.search(r"ALERT_([A-Z_]+)", text)
    if match:
        name = match.group(1).lower()
        return "alert " + {"bad_record_mac": "bad_record_mac"}.get(name, name)
    if "EOF" in text or "closed" in text.lower():
        return "closed"
    return "error " + text


def after_handshake_case(port, tls_version, corrupt):
    """Completes a real handshake, then sends one corrupted record; returns the alert Python's stack decrypted."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = tls_version
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        local = sock.getsockname()[1]
        end = time.monotonic() + 5
        while True:
            try:
                obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                if time.monotonic() > end:
                    return local, "handshake timeout"
                chunk = sock.recv(65536)
                if not chunk:
                    return local, "closed during handshake"
                incoming.write(chunk)
        sock.sendall(outgoing.read())
        # Let the server's tickets or greeting arrive first, so that only the answer to the bad record follows.
        data, _ = read_answer(sock, 0.5)
        incoming.write(data)
        try:
            while True:
                obj.read(65536)
        except ssl.SSLWantReadError:
            pass
        obj.write(b"ping")
        record = bytearray(outgoing.read())
        sock.sendall(corrupt(record))
        data, ending = read_answer(sock)
        incoming.write(data)
        if ending in ("closed", "reset"):
            incoming.write_eof()
        try:
            while True:
                if not obj.read(65536):
                    return local, "closed"
        except ssl.SSLWantReadError:
            return local, "silent"
        except ssl.SSLError as error:
            return local, alert_from_error(error)


def flip_last_bit(record):
    record[-1] ^= 0x01
    return bytes(record)


def oversized(record):
    # A record header that claims more than TLS allows (2^14 + 2048), followed by that much.
    return bytes(record[:3]) + (18500).to_bytes(2, "big") + os.urandom(18500)


class Serve:
    """`tlslab serve`, with its JSON lines collected by session."""

    def __init__(self, binary, cert, key):
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--cert", cert, "--key", key, "--no-greeting",
             "--handshake-timeout", "3000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.events = []
        self.port = None
        started = threading.Event()

        def reader():
            for line in self.process.stdout:
                event = json.loads(line)
                self.events.append(event)
                if event["kind"] == "listener-started":
                    self.port = event["details"]["port"]
                    started.set()
        threading.Thread(target=reader, daemon=True).start()
        if not started.wait(10):
            raise SystemExit("tlslab serve did not start: " + self.process.stderr.read())

    def session_of(self, client_port):
        for e in self.events:
            if e["kind"] == "tcp-accepted" and e["details"]["peer"] == "127.0.0.1:%d" % client_port:
                return e["session"]
        return None

    def alerts_sent(self, session):
        return [e for e in self.events if e["session"] == session and e["kind"] == "alert-sent"]

    def stop(self):
        """Ends serve; False (with the report printed) when the asan preset's tlslab reported a memory error,
        undefined behaviour or a leak on its stderr, which no case would otherwise see."""
        self.process.terminate()
        self.process.wait(10)
        errors = self.process.stderr.read()
        if "SUMMARY: AddressSanitizer" in errors or "SUMMARY: UndefinedBehaviorSanitizer" in errors:
            print("FAIL tlslab serve ended with a sanitizer report:\n" + errors)
            return False
        return True


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="tlslab-conformance-")
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    # RSA, so that an SSLv2-format hello (which cannot offer signature algorithms) has a suite it can complete.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "2",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    reference_port = free_port()
    reference = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % reference_port, "-cert", cert,
                                  "-key", key, "-quiet"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    if not wait_connectable(reference_port):
        raise SystemExit("openssl s_server did not start")
    serve = Serve(binary, cert, key)

    hello = python_hello()
    hello12 = python_hello(ssl.TLSVersion.TLSv1_2)
    at = hello_offsets(hello)
    # An SSL 2.0-compatible ClientHello (RFC 5246, E.2) offering TLS 1.2 and RSA key exchange suites.
    body = bytes.fromhex("010303000f00000010" + "00009c" "00009d" "00002f" "000035" "0000ff") + os.urandom(16)
    sslv2 = bytes([0x80, len(body)]) + body
    cases = [
        ("a valid ClientHello", lambda p: raw_case(p, hello)),
        ("session id length too long", lambda p: raw_case(p, patched(hello, at["session_id"], 0xff, 1))),
        ("cipher suites length odd", lambda p: raw_case(
            p, patched(hello, at["suites"], int.from_bytes(hello[at["suites"]:at["suites"] + 2], "big") + 1, 2))),
        ("compression methods length too long", lambda p: raw_case(p, patched(hello, at["compression"], 0xf0, 1))),
        ("extensions length one too many", lambda p: raw_case(
            p, patched(hello, at["extensions"],
                       int.from_bytes(hello[at["extensions"]:at["extensions"] + 2], "big") + 1, 2))),
        ("half a ClientHello, then close", lambda p: raw_case(p, hello[:len(hello) // 2], close_after=True)),
        ("a TLS 1.2 ClientHello in 1-byte records", lambda p: raw_case(p, b"".join(
            hello12[:3] + b"\x00\x01" + bytes([b]) for b in hello12[5:]))),
        ("ChangeCipherSpec first", lambda p: raw_case(p, bytes.fromhex("140303000101"))),
        ("ApplicationData first", lambda p: raw_case(p, bytes.fromhex("1703030005") + b"hello")),
        ("Heartbeat first", lambda p: raw_case(p, bytes.fromhex("1803030003010000"))),
        ("fatal Alert first", lambda p: raw_case(p, bytes.fromhex("15030300020228"))),
        ("SSLv2-format ClientHello", lambda p: raw_case(p, sslv2)),
        ("TLS 1.3: a record with a flipped bit", lambda p: after_handshake_case(
            p, ssl.TLSVersion.TLSv1_3, flip_last_bit)),
        ("TLS 1.2: a record with a flipped bit", lambda p: after_handshake_case(
            p, ssl.TLSVersion.TLSv1_2, flip_last_bit)),
        ("TLS 1.3: an oversized record", lambda p: after_handshake_case(p, ssl.TLSVersion.TLSv1_3, oversized)),
    ]

    passed = failed = 0
    try:
        for name, run in cases:
            if time.monotonic() > DEADLINE:
                raise SystemExit("conformance: out of time")
            _, expected = run(reference_port)
            local, actual = run(serve.port)
            problems = []
            if actual != expected:
                problems.append("openssl s_server: %s, tlslab: %s" % (expected, actual))
            # The timeline must say what crossed the wire: the alert the client got, sent; none when it got none.
            end = time.monotonic() + 3
            session = None
            while time.monotonic() < end and session is None:
                session = serve.session_of(local)
                time.sleep(0.02)
            time.sleep(0.3)
            on_wire = [e["details"]["type"] for e in serve.alerts_sent(session)
                       if e["details"].get("wire") and e["details"]["type"] != "close_notify"]
            received_alert = actual.split(" ", 1)[1] if actual.startswith("alert ") else None
            if received_alert and received_alert not in on_wire:
                problems.append("the client received %s, the timeline says sent: %s" % (received_alert, on_wire))
            if not received_alert and actual in ("closed", "silent") and on_wire:
                problems.append("the client received nothing, the timeline says sent: %s" % on_wire)
            if problems:
                failed += 1
                print("FAIL %s: %s" % (name, "; ".join(problems)))
            else:
                passed += 1
                print("ok   %s: %s" % (name, actual))
    finally:
        if not serve.stop():
            failed += 1
        reference.terminate()
        reference.wait(10)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
