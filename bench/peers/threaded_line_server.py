"""A seed-like peer: Python's threaded TCP server, one thread per connection, one question each.

Like the seed, it reads one request with a single recv(1024), answers one line, and closes.
The listen backlog is raised from socketserver's default of 5 to 128 so that 50 concurrent
connects are not dropped by the kernel (which would measure SYN retries, not the server).
Usage: python3 threaded_line_server.py PORT
"""
import socketserver
import sys

SONGS = {"song1"}


class OneLineHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(1024)
        verb, _, song = data.decode("utf-8", "replace").strip().partition(" ")
        answer = b"EXIST\n" if verb == "CHECK" and song in SONGS else b"NOT_EXIST\n"
        self.request.sendall(answer)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    port = int(sys.argv[1])
    with Server(("127.0.0.1", port), OneLineHandler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
