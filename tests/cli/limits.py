#!/usr/bin/env python3
"""`tlslab serve` is bounded by design: each limit is hit by a real client, and the words a user reads are checked.

- a client that sends and never reads: the listener stops reading from it (the client's sends block), records it,
  and closes it after the grace period; the server's memory stays flat;
- a client idle after the handshake is closed after --idle-timeout;
- with --max-open 5, a sixth client waits (not accepted) until one of the five leaves, and is then served;
- out of file descriptors (a low RLIMIT_NOFILE): accepting pauses with a reason, and resumes when a slot frees;
- `tlslab connect` against a server that sends forever stops at --max-bytes (the rest counted, not kept), and against
  one that goes silent ends after --idle-timeout;
- SIGHUP, SIGQUIT and a closed stdout end `serve` cleanly; `serve --text` escapes what a client controls;
- a reset (RST, SO_LINGER 0) before or after the handshake is recorded as a reset, a close as a close;
- (not a limit, but the same kind of real-client test) the listener answers an HTTP request over TLS with a page about
  the connection, as text or JSON, and curl accepts it.

Loopback only; every wait is bounded. Usage: limits.py TLSLAB_BINARY (exit 0 when every case passes).
"""
import json
import os
import signal
import resource
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

# The whole run is bounded (longer under the sanitizers, whose preset sets the factor).
DEADLINE = time.monotonic() + 170 * float(os.environ.get("TLSLAB_TEST_TIMEOUT_FACTOR", "1"))
IDLE_CLIENTS = 1000
FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        FAILURES.append(what)
    return condition


def no_sanitizer_report(what, stderr):
    """Under the asan preset tlslab ends with a report on stderr at its first memory error, undefined behaviour or
    leak; a case that looks only at the events would not see it, so every tlslab's stderr passes through here."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else (stderr or "")
    if "SUMMARY: AddressSanitizer" in text or "SUMMARY: UndefinedBehaviorSanitizer" in text:
        print(text, flush=True)
        check(False, "%s ended without a sanitizer report" % what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tls_context():
    # Verification is not what is tested here; the listener's development certificate is made per data folder.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def tls_client(port, timeout=10):
    """A TLS client that has read the greeting."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock = tls_context().wrap_socket(raw, server_hostname="localhost")
    greeting = sock.recv(100)
    assert greeting.startswith(b"Hello from TLS Lab"), greeting
    return sock


class Serve:
    """`tlslab serve` with JSON lines collected by a thread."""

    def __init__(self, binary, data_dir, options, nofile=None, measures_memory=False):
        self.port = free_port()
        env = dict(os.environ, TLSLAB_DATA_DIR=data_dir)
        if measures_memory and "ASAN_OPTIONS" in env:
            # Under AddressSanitizer (the asan preset) freed memory waits in a 256 MB quarantine before it is reused,
            # so RSS would measure the sanitizer's allocator, not our buffers: a small quarantine keeps it ours.
            env["ASAN_OPTIONS"] += ":quarantine_size_mb=4:thread_local_quarantine_size_kb=64"

        def limit():
            if nofile:
                soft, hard = nofile if isinstance(nofile, tuple) else (nofile, nofile)
                resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

        self.process = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % self.port] + options,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=limit)
        self.events = []
        self.lock = threading.Lock()

        def reader():
            for line in self.process.stdout:
                with self.lock:
                    self.events.append(json.loads(line))

        threading.Thread(target=reader, daemon=True).start()
        self.wait_for(lambda e: e["kind"] == "listener-started")

    def find(self, predicate):
        with self.lock:
            return [e for e in self.events if predicate(e)]

    def wait_for(self, predicate, seconds=15):
        end = min(time.monotonic() + seconds, DEADLINE)
        while time.monotonic() < end:
            found = self.find(predicate)
            if found:
                return found[0]
            time.sleep(0.02)
        return None

    def session_of(self, client_port):
        accepted = self.wait_for(lambda e: e["kind"] == "tcp-accepted"
                                 and e["details"]["peer"] == "127.0.0.1:%d" % client_port)
        return accepted["session"] if accepted else None

    def rss_kb(self):
        with open("/proc/%d/status" % self.process.pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def open_fds(self):
        return len(os.listdir("/proc/%d/fd" % self.process.pid))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        no_sanitizer_report("tlslab serve", self.process.stderr.read())


def limit_events(serve, session, text):
    return serve.find(lambda e: e["kind"] == "limit" and e["session"] == session and text in e["summary"])


def client_that_never_reads(binary, data_dir):
    serve = Serve(binary, data_dir, ["--max-backlog", "65536", "--backlog-grace", "1500"], measures_memory=True)
    try:
        rss_before = serve.rss_kb()
        sock = tls_client(serve.port)
        session = serve.session_of(sock.getsockname()[1])
        sock.settimeout(0.5)
        chunk = b"x" * 16384
        sent, blocked, cap = 0, 0, 256 * 1024 * 1024
        while sent < cap and blocked < 4 and time.monotonic() < DEADLINE:
            try:
                sent += sock.send(chunk)
                blocked = 0
            except (socket.timeout, ssl.SSLWantWriteError):
                blocked += 1  # the listener no longer reads from us
            except OSError:
                break  # closed by the listener
        rss_peak = serve.rss_kb()
        check(sent < cap, "a client that never reads cannot push more: it sent %d MB, then its sends blocked"
              % (sent // (1024 * 1024)))
        paused = serve.wait_for(lambda e: e["kind"] == "limit" and e["session"] == session
                                and "the client is not reading what it is sent" in e["summary"])
        check(paused is not None and "stopped reading from it and echoing" in paused["summary"]
              and paused["details"]["limit"] == "output-backlog",
              "the listener says it stopped reading: %s" % (paused or {}).get("summary"))
        closed = serve.wait_for(lambda e: e["kind"] == "limit" and e["session"] == session
                                and "closing the connection: the client did not read what it was sent" in e["summary"])
        check(closed is not None, "the client is closed after the grace period: %s" % (closed or {}).get("summary"))
        growth_mb = (rss_peak - rss_before) / 1024
        check(growth_mb < 32, "server RSS grew by %.1f MB while the client flooded it (%d KB -> %d KB)"
              % (growth_mb, rss_before, rss_peak))
        sock.close()
        # The listener still serves others.
        other = tls_client(serve.port)
        other.sendall(b"ping\n")
        check(other.recv(100) == b"ping\n", "another client is still served and echoed")
        other.close()
    finally:
        serve.stop()


def idle_client(binary, data_dir):
    serve = Serve(binary, data_dir, ["--idle-timeout", "800"])
    try:
        sock = tls_client(serve.port)
        session = serve.session_of(sock.getsockname()[1])
        sock.sendall(b"one line\n")
        check(sock.recv(100) == b"one line\n", "an active client is echoed")
        sock.settimeout(10)
        try:
            ending = sock.recv(100)
        except (ConnectionResetError, ssl.SSLError) as error:
            ending = repr(error)
        check(ending in (b"", "") or "EOF" in str(ending), "the idle client is closed by the listener (%r)" % ending)
        event = serve.wait_for(lambda e: e["kind"] == "limit" and e["session"] == session)
        summary = (event or {}).get("summary", "")
        check("nothing was sent or received for 0.8 s after the handshake (the idle limit)" in summary
              and event["details"]["limit"] == "idle-timeout", "the idle limit is named: %s" % summary)
        sock.close()
    finally:
        serve.stop()


def open_connection_cap(binary, data_dir):
    serve = Serve(binary, data_dir, ["--max-open", "5"])
    try:
        held = [tls_client(serve.port) for _ in range(5)]
        pause = serve.wait_for(lambda e: e["kind"] == "limit" and e["session"] == 0)
        check(pause is not None and "not accepting: 5 connections are open, the limit" in pause["summary"]
              and pause["details"]["limit"] == "open-connections",
              "the cap is recorded: %s" % (pause or {}).get("summary"))
        result = {}

        def sixth():
            try:
                sock = tls_client(serve.port, timeout=20)
                result["port"] = sock.getsockname()[1]
                sock.sendall(b"sixth\n")
                result["echo"] = sock.recv(100)
                sock.close()
            except OSError as error:
                result["error"] = repr(error)

        waiting = threading.Thread(target=sixth)
        waiting.start()
        waiting.join(1.0)  # the sixth client must still be waiting: nothing accepted it
        check(waiting.is_alive() and len(serve.find(lambda e: e["kind"] == "tcp-accepted")) == 5,
              "a sixth client waits while 5 are open (accepted: %d)"
              % len(serve.find(lambda e: e["kind"] == "tcp-accepted")))
        held.pop(0).close()
        waiting.join(20)
        check(result.get("echo") == b"sixth\n", "after one leaves, the sixth is served (%r)" % result)
        resumed = serve.wait_for(lambda e: e["kind"] == "limit" and e["session"] == 0
                                 and "accepting connections again" in e["summary"])
        check(resumed is not None, "resuming is recorded: %s" % (resumed or {}).get("summary"))
        for sock in held:
            sock.close()
    finally:
        serve.stop()


def a_thousand_idle_connections(binary, data_dir):
    """1,000 idle TLS clients with the listener's defaults and a desktop's soft descriptor limit (1,024): serve raises
    its limit to the hard one, holds them all, and still serves a new client."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * IDLE_CLIENTS + 64  # serve: two descriptors per connection
    if hard != resource.RLIM_INFINITY and hard < needed:
        print("SKIP a thousand idle connections: the hard descriptor limit here is %d, below %d" % (hard, needed))
        return
    if soft != resource.RLIM_INFINITY and soft < IDLE_CLIENTS + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, needed), hard))  # this test's own clients
    serve = Serve(binary, data_dir, [], nofile=(1024, hard), measures_memory=True)
    held = []
    try:
        started = serve.find(lambda e: e["kind"] == "listener-started")[0]
        check(started["details"]["descriptor_limit"] >= needed,
              "serve raised its descriptor limit from 1024 to %d" % started["details"]["descriptor_limit"])
        rss_before = serve.rss_kb()
        failed = None
        while len(held) < IDLE_CLIENTS and time.monotonic() < DEADLINE:
            try:
                held.append(tls_client(serve.port, timeout=20))
            except OSError as error:
                failed = repr(error)
                break
        check(len(held) == IDLE_CLIENTS, "%d idle TLS clients connected and greeted (%s)" % (len(held), failed))
        rss_idle = serve.rss_kb()
        other = tls_client(serve.port)
        other.sendall(b"still here\n")
        check(other.recv(100) == b"still here\n", "with %d idle clients open, a new client is served and echoed"
              % len(held))
        other.close()
        print("figure: %d idle TLS connections: serve's RSS %d KB -> %d KB (%.1f KB per connection), %d descriptors"
              % (len(held), rss_before, rss_idle, (rss_idle - rss_before) / max(len(held), 1), serve.open_fds()))
        check(not serve.find(lambda e: e["kind"] == "limit"), "no limit was hit")
    finally:
        for sock in held:
            sock.close()
        serve.stop()


def out_of_descriptors(binary, data_dir):
    serve = Serve(binary, data_dir, ["--max-open", "0"], nofile=48)
    try:
        held = []
        pause = None
        while len(held) < 48 and pause is None:
            result = {}

            def connect():
                try:
                    result["sock"] = tls_client(serve.port, timeout=20)
                except OSError as error:
                    result["error"] = repr(error)

            attempt = threading.Thread(target=connect)
            attempt.start()
            attempt.join(5)
            if "sock" in result:
                held.append(result["sock"])
                continue
            pause = serve.wait_for(lambda e: e["kind"] == "limit" and e["session"] == 0, 2)
            break
        check(pause is not None and "the process is out of file descriptors" in pause["summary"]
              and pause["details"]["limit"] == "file-descriptors",
              "running out of descriptors is recorded after %d clients: %s"
              % (len(held), (pause or {}).get("summary")))
        check(serve.process.poll() is None, "the listener is still running")
        for sock in held[:2]:
            sock.close()
        attempt.join(20)
        check("sock" in result, "the waiting client is served once a slot frees (%r)" % result.get("error"))
        for sock in held[2:] + ([result["sock"]] if "sock" in result else []):
            sock.close()
    finally:
        serve.stop()



class SendingServer:
    """A plaintext or TLS server on loopback that sends forever (or one line, then silence) to its one client."""

    def __init__(self, forever, context=None):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]
        self.sent = 0

        def serve():
            try:
                conn, _ = self.listener.accept()
                if context:
                    conn = context.wrap_socket(conn, server_side=True)
                conn.settimeout(30)
                if not forever:
                    conn.sendall(b"hello\n")
                    conn.recv(100)  # until the client leaves (bounded by the timeout)
                    return
                end = time.monotonic() + 30
                while time.monotonic() < end:
                    conn.sendall(b"y" * 65536)
                    self.sent += 65536
            except OSError:
                pass  # the client left: what we wanted

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()

    def close(self):
        self.thread.join(35)
        self.listener.close()


def run_connect(binary, arguments, data_dir):
    env = dict(os.environ, TLSLAB_DATA_DIR=data_dir)
    try:
        done = subprocess.run([binary, "connect"] + arguments, capture_output=True, env=env, timeout=30)
    except subprocess.TimeoutExpired:
        return None, [], b""
    no_sanitizer_report("tlslab connect", done.stderr)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, lines, done.stderr


def connect_stops_at_max_bytes(binary, data_dir):
    for tls in (False, True):
        context = None
        arguments = ["--max-bytes", "100000", "--wait", "60000"]
        if tls:
            cert, key = os.path.join(data_dir, "s.pem"), os.path.join(data_dir, "s.key")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                            "-keyout", key, "-out", cert, "-days", "1"], check=True, capture_output=True)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            arguments += ["--ca", cert, "--servername", "localhost"]
        else:
            arguments += ["--plaintext"]
        server = SendingServer(True, context)
        code, lines, err = run_connect(binary, ["127.0.0.1:%d" % server.port] + arguments, data_dir)
        server.close()
        name = "TLS" if tls else "plaintext"
        check(code == 0, "%s: connect ends by itself against a server that sends forever (exit %s %s)"
              % (name, code, err[-200:]))
        limit = [e for e in lines if e.get("kind") == "limit"]
        result = lines[-1].get("result", {}) if lines else {}
        check(limit and limit[0]["summary"].startswith(
            "Limit: received 100000 bytes, the most this client keeps; closing (")
              and "more bytes had arrived: counted, not kept" in limit[0]["summary"],
              "%s: the limit is named: %s" % (name, limit[0]["summary"] if limit else None))
        check(result.get("bytes_received") == 100000 and result.get("bytes_discarded", 0) >= 0
              and result.get("ok") is True, "%s: 100000 bytes kept, the rest counted: %s" % (name, result))


def connect_ends_when_idle(binary, data_dir):
    server = SendingServer(False)
    code, lines, err = run_connect(binary, ["127.0.0.1:%d" % server.port, "--plaintext", "--wait", "60000",
                                            "--idle-timeout", "500"], data_dir)
    server.close()
    check(code == 0, "connect ends against a server gone silent (exit %s %s)" % (code, err[-200:]))
    limit = [e for e in lines if e.get("kind") == "limit"]
    check(limit and limit[0]["summary"] == "Limit: nothing was received or sent for 0.5 s; closing"
          and limit[0]["details"]["limit"] == "idle-timeout",
          "the idle limit is named: %s" % (limit[0]["summary"] if limit else None))


def serve_ends_cleanly_on_signals(binary, data_dir):
    for sig in (signal.SIGHUP, signal.SIGQUIT):
        serve = Serve(binary, data_dir, [])
        serve.process.send_signal(sig)
        try:
            code = serve.process.wait(10)
        except subprocess.TimeoutExpired:
            code = None
        serve.stop()  # also reads its stderr
        time.sleep(0.1)  # the reader thread takes the last lines (it ends with the pipe)
        last = serve.find(lambda e: True)[-1]["kind"]
        check(code == 0 and last == "listener-stopped",
              "%s ends serve cleanly (exit %s, last event %s)" % (sig.name, code, last))
    # Whoever read our output went away: the next event hits a closed pipe.
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % port], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=dict(os.environ, TLSLAB_DATA_DIR=data_dir))
    first = process.stdout.readline()
    process.stdout.close()
    check(b"listener-started" in first, "serve started")
    try:
        tls_client(port).close()
    except (OSError, AssertionError):
        pass  # serve may be gone before it greets: that is the point
    try:
        code = process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    no_sanitizer_report("tlslab serve", process.stderr.read())
    check(code == 0, "a closed stdout ends serve cleanly (exit %s, not killed by SIGPIPE)" % code)


def serve_text_escapes_controls(binary, data_dir):
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % port, "--text", "--max-connections",
                                "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, TLSLAB_DATA_DIR=data_dir))
    process.stdout.readline()  # listening
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /\x1b]0;owned\x07\x1b[2J\x1b[31mred\x08\x08\x9b HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            while sock.recv(4096):
                pass
        except OSError:
            pass
    try:
        out, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    no_sanitizer_report("tlslab serve --text", err)
    text = out.decode("utf-8", "replace")
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
    check(not bad, "serve --text prints no control characters (found %r)" % bad[:5])
    check("GET /\\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\x08\\x08" in text,
          "the target is shown escaped: %s" % [l for l in text.splitlines() if "GET" in l][:1])


def listener_answers_http(binary, data_dir):
    serve = Serve(binary, data_dir, [])
    try:
        cert = os.path.join(data_dir, "tlslab-dev.pem")
        url = "https://localhost:%d/hello" % serve.port
        base = ["curl", "-sS", "--max-time", "10", "--cacert", cert, "--resolve", "localhost:%d:127.0.0.1" % serve.port]
        page = subprocess.run(base + [url], capture_output=True, timeout=20)
        text = page.stdout.decode("utf-8", "replace")
        check(page.returncode == 0 and text.startswith("TLS Lab's listener saw this connection (session ")
              and "protocol            TLSv1.3" in text and "SNI                 localhost" in text
              and "\nJA4                 t13d" in text,
              "curl gets the page about its connection (exit %d): %r %r" % (page.returncode, text[:400], page.stderr))
        answer = subprocess.run(base + ["-H", "Accept: application/json", url], capture_output=True, timeout=20)
        try:
            facts = json.loads(answer.stdout)
        except ValueError:
            facts = {}
        check(answer.returncode == 0 and facts.get("protocol") == "TLSv1.3" and facts.get("sni") == "localhost"
              and facts.get("ja4", "").startswith("t13d") and len(facts.get("ja3_md5", "")) == 32
              and facts.get("client_certificate") is None and facts.get("resumed") is False
              and facts.get("request") == "GET /hello",
              "with Accept: application/json the page is JSON: %r" % facts)
        # Other bytes are still echoed, after the greeting.
        sock = tls_client(serve.port)
        sock.sendall(b"GETaway\n")
        check(sock.recv(100) == b"GETaway\n", "bytes that are not an HTTP request are echoed")
        sock.close()
    finally:
        serve.stop()


def resets_are_recorded(binary, data_dir):
    serve = Serve(binary, data_dir, [])
    hard = __import__("struct").pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST

    def story(port):
        session = serve.session_of(port)
        serve.wait_for(lambda e: e["session"] == session and e["kind"] in ("closed", "reset")
                       and e["kind"] != "diagnosis", 10)
        time.sleep(0.2)  # the rest of that session's events
        return [(e["kind"], e["summary"]) for e in serve.find(lambda e: e["session"] == session)
                if e["kind"] in ("closed", "reset")]

    try:
        raw = socket.create_connection(("127.0.0.1", serve.port), timeout=10)
        port = raw.getsockname()[1]
        serve.session_of(port)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, hard)
        raw.close()
        got = story(port)
        check(got == [("reset", "Closed: the client reset the connection without sending anything")],
              "a reset before any byte is a reset: %s" % got)

        sock = tls_client(serve.port)
        port = sock.getsockname()[1]
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, hard)
        sock.close()
        got = story(port)
        check(got == [("reset", "Connection reset by the client")], "a reset after the handshake is a reset: %s" % got)

        # During the handshake, after the ServerHello (found by tests/soak/soak.py: it was recorded as a close).
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        hello = tls_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
        try:
            hello.do_handshake()
        except ssl.SSLWantReadError:
            pass
        raw = socket.create_connection(("127.0.0.1", serve.port), timeout=10)
        port = raw.getsockname()[1]
        raw.sendall(outgoing.read())
        check(raw.recv(5)[:1] == b"\x16", "the listener answered the ClientHello")
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, hard)
        raw.close()
        got = story(port)
        check(got == [("reset", "Connection reset by the client during the handshake")],
              "a reset during the handshake is a reset: %s" % got)

        sock = tls_client(serve.port)
        port = sock.getsockname()[1]
        sock.close()  # FIN, no close_notify
        got = story(port)
        check([k for k, _ in got] == ["closed"], "a TCP close after the handshake is a close: %s" % got)
    finally:
        serve.stop()


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as data_dir:
        client_that_never_reads(binary, data_dir)
        idle_client(binary, data_dir)
        open_connection_cap(binary, data_dir)
        out_of_descriptors(binary, data_dir)
        a_thousand_idle_connections(binary, data_dir)
        connect_stops_at_max_bytes(binary, data_dir)
        connect_ends_when_idle(binary, data_dir)
        serve_ends_cleanly_on_signals(binary, data_dir)
        serve_text_escapes_controls(binary, data_dir)
        listener_answers_http(binary, data_dir)
        resets_are_recorded(binary, data_dir)
    if FAILURES:
        print("%d failed" % len(FAILURES))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
