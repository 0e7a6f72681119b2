#!/usr/bin/python3
"""Records what an RTSP camera sends a client over one TCP connection: the answers to OPTIONS,
DESCRIBE, two SETUPs (interleaved 0-1, 2-3) and PLAY, then interleaved RTP/RTCP for SECONDS.

  /usr/bin/python3 scripts/rtsp-camera.py &   # prints "ready PORT"
  /usr/bin/python3 capture.py rtsp://127.0.0.1:PORT/h264aac OUT.bin [SECONDS]
"""
import re
import socket
import sys
import time

url, out = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
host, port = re.match(r"rtsp://([^:/]+):(\d+)", url).groups()
s = socket.create_connection((host, int(port)))
received = bytearray()


def request(method, uri, cseq, extra=""):
    s.sendall(f"{method} {uri} RTSP/1.0\r\nCSeq: {cseq}\r\n{extra}\r\n".encode())
    start = len(received)
    while True:
        received.extend(s.recv(65536))
        text = received[start:].decode("latin-1")
        if "\r\n\r\n" in text:
            head, _, body = text.partition("\r\n\r\n")
            m = re.search(r"Content-Length: *(\d+)", head, re.I)
            if len(body) >= (int(m.group(1)) if m else 0):
                return head


request("OPTIONS", url, 1)
request("DESCRIBE", url, 2, "Accept: application/sdp\r\n")
head = request("SETUP", url + "/stream=0", 3, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
session = re.search(r"Session: *([^;\r]+)", head).group(1)
request("SETUP", url + "/stream=1", 4, f"Transport: RTP/AVP/TCP;unicast;interleaved=2-3\r\nSession: {session}\r\n")
request("PLAY", url, 5, f"Session: {session}\r\nRange: npt=0-\r\n")
deadline = time.time() + seconds
s.settimeout(0.2)
while time.time() < deadline:
    try:
        received.extend(s.recv(65536))
    except socket.timeout:
        pass
open(out, "wb").write(received)
print(len(received), "bytes")
