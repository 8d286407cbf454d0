#!/usr/bin/env python3
"""A tiny stand-in for a publishing platform: prints every post it receives.

    python3 examples/posts/receiver.py            # listens on 127.0.0.1:8787

Answers 201 with a JSON body carrying an id and a URL, which Almanac journals as the
published link. Every request shows its Idempotency-Key: a retried post always repeats it.
"""
import http.server
import itertools
import json
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8787
counter = itertools.count(1)


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        post = json.loads(body or b"{}")
        number = next(counter)
        print(f"#{number} {self.path} key={self.headers.get('Idempotency-Key')} "
              f"post={post.get('post')} attempt={post.get('attempt')} title={post.get('title')!r}", flush=True)
        reply = json.dumps({"id": str(number), "url": f"http://127.0.0.1:{PORT}/p/{number}"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    print(f"receiver listening on http://127.0.0.1:{PORT}", flush=True)
    http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
