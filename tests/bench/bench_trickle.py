#!/usr/bin/env python3
"""A 40 KB ClientHello sent in 1-byte TLS records: server CPU of `tlslab serve` against `openssl s_server`.

Both servers get the same bytes (a real hello from Python's TLS stack, grown with an unassigned extension, which servers ignore) until they
answer with their ServerHello; the CPU each server process used is read from /proc. A benchmark: it prints figures and
asserts nothing about them. Loopback only; bounded in count and time.
Usage: bench_trickle.py TLSLAB_BINARY [repetitions]
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import conformance  # noqa: E402  (the hello builder and helpers)


def big_hello(padding):
    hello = bytearray(conformance.python_hello())
    at = conformance.hello_offsets(bytes(hello))
    message = hello[5:]
    ext = at["extensions"] - 5
    extension = (0x4321).to_bytes(2, "big") + padding.to_bytes(2, "big") + bytes(padding)
    message = message + extension
    ext_len = int.from_bytes(message[ext:ext + 2], "big") + len(extension)
    message[ext:ext + 2] = ext_len.to_bytes(2, "big")
    message[1:4] = (len(message) - 4).to_bytes(3, "big")
    return bytes(message)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def trickle(port, message):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # 1-byte records, a few hundred per send so that the server sees many small reads
        records = [b"\x16\x03\x01\x00\x01" + message[i:i + 1] for i in range(len(message))]
        for i in range(0, len(records), 200):
            sock.sendall(b"".join(records[i:i + 200]))
        # Until the first answer record is in (a ServerHello, or an alert); not until the server closes.
        answer = b""
        sock.settimeout(20)
        while len(answer) < 6:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return conformance.describe(answer, "closed")


def main():
    binary = sys.argv[1]
    repetitions = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    work = tempfile.mkdtemp(prefix="tlslab-trickle-")
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", "/CN=localhost", "-days", "2", "-keyout", key, "-out", cert], check=True,
                   capture_output=True)
    port = conformance.free_port()
    reference = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", cert, "-key",
                                  key, "-quiet"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    conformance.wait_connectable(port)
    serve = conformance.Serve(binary, cert, key)
    message = big_hello(40000)
    try:
        results = {}
        for name, pid, p in (("openssl", reference.pid, port), ("tlslab", serve.process.pid, serve.port)):
            before = cpu_seconds(pid)
            start = time.monotonic()
            answers = [trickle(p, message) for _ in range(repetitions)]
            results[name] = (cpu_seconds(pid) - before, time.monotonic() - start, answers[-1])
        print("trickle.hello_bytes: %d in %d one-byte records" % (len(message), len(message)))
        for name, (cpu, wall, answer) in results.items():
            print("trickle.%s_cpu_s_per_hello: %.3f (wall %.2f s; answer: %s)" % (name, cpu / repetitions,
                                                                                 wall / repetitions, answer))
        ratio = results["tlslab"][0] / max(results["openssl"][0], 1e-3)
        print("trickle.cpu_ratio_tlslab_to_openssl: %.2f" % ratio)
    finally:
        serve.stop()
        reference.terminate()
        reference.wait(10)


if __name__ == "__main__":
    main()
