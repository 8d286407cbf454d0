#!/usr/bin/env python3
"""Evaluates a JavaScript expression in the page a headless Chromium has open, through the
DevTools protocol on --remote-debugging-port, and prints the result (a string).

    cdp-eval.py PORT EXPRESSION

`--dump-dom` dumps right after the load (with or without --timeout or a virtual time budget),
so it cannot show what a page does later; make dashboard-check needs the DOM a live page has
seconds after loading. The protocol runs over a WebSocket: this is the few lines of RFC 6455 a
client needs (one text frame out, masked; frames in until the answer), kept here rather than a
PyPI package so the check needs nothing but python3.
"""
import base64, json, os, socket, struct, sys, time, urllib.request

port, expression = int(sys.argv[1]), sys.argv[2]
page = None
for _ in range(100):
    try:
        page = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json")) if t.get("type") == "page")
        break
    except Exception:
        time.sleep(0.1)
if page is None:
    sys.exit(f"no page on the DevTools port {port}")
path = page["webSocketDebuggerUrl"].split(f":{port}", 1)[1]
sock = socket.create_connection(("127.0.0.1", port), timeout=20)
key = base64.b64encode(os.urandom(16)).decode()
sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
head = b""
while b"\r\n\r\n" not in head:
    head += sock.recv(1)
if b" 101 " not in head.split(b"\r\n", 1)[0]:
    sys.exit(f"the DevTools WebSocket refused: {head.decode(errors='replace')}")

def exactly(n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            sys.exit("the DevTools WebSocket closed")
        data += chunk
    return data

message = json.dumps({"id": 1, "method": "Runtime.evaluate", "params": {"expression": expression, "returnByValue": True}}).encode()
mask = os.urandom(4)
length = len(message)
header = bytes([0x81]) + (bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + struct.pack(">H", length)
                          if length < 65536 else bytes([0x80 | 127]) + struct.pack(">Q", length))
sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(message)))
text = b""
while True:
    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack(">H", exactly(2))[0]
    elif length == 127:
        length = struct.unpack(">Q", exactly(8))[0]
    text += exactly(length)
    if not first & 0x80:
        continue  # a fragment: the rest follows
    answer = json.loads(text)
    text = b""
    if answer.get("id") == 1:
        print(answer["result"]["result"].get("value", ""))
        break
