#!/usr/bin/env python3
"""A small HTTP cache for trying and testing Assay's HTTP store, on 127.0.0.1 only.

    python3 tools/http_cache_server.py [--port 0] [--fault none] [--s3-secret SECRET]

Serves GET, HEAD and PUT on .../ac/<key> from memory (as Bazel's remote cache protocol lays them out, under any
prefix, such as an S3 bucket's /<bucket>/<prefix>) and prints "port N" on its first line. With --s3-secret it is an
S3 stand-in that verifies every request's AWS Signature Version 4 (header form, payload hash included) against that
secret key and answers 403 to a wrong one. `POST /fault/<mode>` switches its behaviour, for fault-injection tests:
  none      answers truthfully
  error     every GET answers 500
  flaky     every other request answers 503 (a client that retries gets through)
  truncate  GET returns the first half of the entry
  swap      GET returns another key's entry when it holds more than one
  down      closes the connection without answering
Stop it by its PID.
"""
import argparse, hashlib, hmac, http.server, socketserver, sys, threading, urllib.parse

store, lock = {}, threading.Lock()
state = {"fault": "none", "count": 0, "secret": None}


def signature_ok(handler, body):
    """Recomputes the request's SigV4 signature with the server's secret."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False
    fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    access, day, region, service, _ = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    payload = handler.headers.get("x-amz-content-sha256", "")
    if payload != hashlib.sha256(body).hexdigest():
        return False
    path = urllib.parse.quote(urllib.parse.unquote(urllib.parse.urlsplit(handler.path).path), safe="/~")
    headers = "".join(f"{h}:{' '.join(handler.headers.get(h, '').split())}\n" for h in signed)
    canonical = "\n".join([handler.command, path, "", headers, ";".join(signed), payload])
    date = handler.headers.get("x-amz-date", "")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", date, f"{day}/{region}/{service}/aws4_request", hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + state["secret"]).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), fields["Signature"])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def key(self):
        parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
        return parts[-1] if len(parts) >= 2 and parts[-2] == "ac" else None

    def refused(self, body=b""):
        """With --s3-secret, answers 403 to a request whose signature does not verify."""
        if state["secret"] is not None and not signature_ok(self, body):
            self.answer(403)
            return True
        return False

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def fault(self):
        with lock:
            state["count"] += 1
            mode, count = state["fault"], state["count"]
        if mode == "down":
            self.close_connection = True
            self.connection.close()
            return True
        if mode == "flaky" and count % 2 == 1:
            self.answer(503)
            return True
        return False

    def do_POST(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "fault":
            with lock:
                state["fault"], state["count"] = parts[1], 0
            return self.answer(200)
        self.answer(404)

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.fault() or self.refused(body):
            return
        key = self.key()
        if key is None:
            return self.answer(400)
        with lock:
            store[key] = body
        self.answer(201)

    def do_GET(self):
        if self.fault() or self.refused():
            return
        key = self.key()
        with lock:
            body, mode, others = store.get(key), state["fault"], [k for k in store if k != key]
        if body is None:
            return self.answer(404)
        if mode == "error":
            return self.answer(500)
        if mode == "truncate":
            body = body[: len(body) // 2]
        if mode == "swap" and others:
            with lock:
                body = store[sorted(others)[0]]
        self.answer(200, body)

    do_HEAD = do_GET


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fault", default="none")
    ap.add_argument("--s3-secret", default=None)
    a = ap.parse_args()
    state["fault"], state["secret"] = a.fault, a.s3_secret
    server = Server(("127.0.0.1", a.port), Handler)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
