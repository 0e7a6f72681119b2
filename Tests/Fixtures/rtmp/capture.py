#!/usr/bin/env python3
"""Records what an RTMP publisher sends: a TCP proxy between the publisher and a real RTMP
server that saves the client-to-server bytes after the handshake (C0, C1 and C2, the first
1 + 1536 + 1536 bytes, are dropped).

Usage: capture.py LISTEN_PORT SERVER_PORT OUTPUT
Listens on 127.0.0.1:LISTEN_PORT for one connection, relays it to 127.0.0.1:SERVER_PORT,
and writes OUTPUT when the publisher closes. See README.md for the full procedure.
"""
import select
import socket
import sys

HANDSHAKE = 1 + 1536 + 1536

def main():
    listen_port, server_port, output = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(1)
    client, _ = listener.accept()
    server = socket.create_connection(("127.0.0.1", server_port))
    sent = bytearray()
    open_ends = {client, server}
    while client in open_ends:
        readable, _, _ = select.select(list(open_ends), [], [], 30)
        if not readable:
            break
        for end in readable:
            data = end.recv(65536)
            other = server if end is client else client
            if not data:
                open_ends.discard(end)
                try:
                    other.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            if end is client:
                sent += data
            if other in open_ends:
                try:
                    other.sendall(data)
                except OSError:
                    open_ends.discard(other)
    with open(output, "wb") as f:
        f.write(bytes(sent[HANDSHAKE:]))
    print(f"{len(sent)} bytes from the client, {len(sent) - HANDSHAKE} after the handshake -> {output}")

if __name__ == "__main__":
    main()
