#!/usr/bin/env python3
"""Records the first flight of a real TLS peer on loopback, for the dissection tests.

  capturehello.py listen            listen on 127.0.0.1 (a port the system picks, printed as "PORT n"), accept one
                                    client and print its ClientHello records as "HEX ..."
  capturehello.py relay PORT HEX [TYPE]
                                    connect to 127.0.0.1:PORT, send the ClientHello bytes HEX and print the server's
                                    records up to the end of its ServerHello (or of its first handshake message of
                                    TYPE, e.g. 14 ServerHelloDone in TLS 1.2) as "HEX ..."

Reads whole TLS records until the hello message is complete, then closes. Bounded: 15 s per connection."""
import socket
import sys

TIMEOUT = 15.0


def hello_records(sock, hello_type, until_type=None):
    """Reads records until the first handshake message (of hello_type) is complete, or with until_type, until the
    first message of that type is; returns those records."""
    until_type = hello_type if until_type is None else until_type
    data = b""
    while True:
        # Walk the records received so far.
        pos, handshake = 0, b""
        while pos + 5 <= len(data):
            length = int.from_bytes(data[pos + 3:pos + 5], "big")
            if pos + 5 + length > len(data):
                break
            if data[pos] == 22:
                handshake += data[pos + 5:pos + 5 + length]
            pos += 5 + length
            if len(handshake) >= 4 and handshake[0] != hello_type:
                raise SystemExit("unexpected handshake message type %d" % handshake[0])
            at = 0
            while at + 4 <= len(handshake):
                end = at + 4 + int.from_bytes(handshake[at + 1:at + 4], "big")
                if end > len(handshake):
                    break
                if handshake[at] == until_type:
                    return data[:pos]
                at = end
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("connection closed after %d bytes" % len(data))
        data += chunk


def main():
    if sys.argv[1] == "listen":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(TIMEOUT)
        print("PORT %d" % server.getsockname()[1], flush=True)
        conn, _ = server.accept()
        conn.settimeout(TIMEOUT)
        records = hello_records(conn, 1)
        conn.close()
        server.close()
    else:
        conn = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=TIMEOUT)
        conn.sendall(bytes.fromhex(sys.argv[3]))
        records = hello_records(conn, 2, int(sys.argv[4]) if len(sys.argv) > 4 else None)
        conn.close()
    print("HEX " + records.hex(), flush=True)


if __name__ == "__main__":
    main()
