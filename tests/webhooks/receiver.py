"""A webhook receiver for the tests: a real HTTP server on loopback, in a thread, that
answers 500 to its first ``failures`` posts and 200 afterwards, keeping every request."""

import http.server
import threading


class Receiver:
    def __init__(self, failures: int = 0) -> None:
        self.failures, self.requests = failures, []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append((headers, body))
                failed = len(receiver.requests) <= receiver.failures
                self.send_response(500 if failed else 200)
                answer = b"receiver down" if failed else b"ok"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
