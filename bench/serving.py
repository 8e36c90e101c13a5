"""Benchmark of production serving (issue 12): gunicorn with the repository's settings
(app/serving.py) and a given number of workers, loaded by concurrent logged-in clients asking
for order list pages.

    .venv/bin/python bench/serving.py [--workers 2] [--clients 10] [--seconds 20] [--url /orders]

Uses the configured database (``DATABASE_URL``) as it is: fill it first with bench/pages.py,
which also creates the login used here. Prints the pages per second served and the latency
the clients saw.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import BENCH_EMAIL, BENCH_PASSWORD, Client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered.")
        try:
            Client(port).get("/healthz")
            return
        except (ConnectionError, OSError):
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s.")


def load(port: int, clients: int, seconds: float, url: str) -> list[float]:
    """Each client, logged in, asks for ``url`` again and again for ``seconds``; the
    milliseconds of every answer."""
    logged_in = []
    for _ in range(clients):
        client = Client(port)
        client.log_in(BENCH_EMAIL, BENCH_PASSWORD)
        logged_in.append(client)
    times: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = 0.0

    def run(client: Client) -> None:
        start.wait()
        mine = []
        while time.monotonic() < stop_at:
            mine.append(client.get(url)[1])
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=run, args=(c,)) for c in logged_in]
    for thread in threads:
        thread.start()
    stop_at = time.monotonic() + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=20, help="how long to load it")
    parser.add_argument("--url", default="/orders", help="the page every client asks for")
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": str(args.workers)}
    env.setdefault("SECRET_KEY", "bench-serving")
    server = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "-c", "python:app.serving",
         "--access-logfile", "/dev/null", "app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_up(port, server)
        load(port, args.clients, 3, args.url)  # warm the workers up
        times = load(port, args.clients, args.seconds, args.url)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    times.sort()
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    print(f"gunicorn, {args.workers} workers, {args.clients} clients, {args.seconds:g} s of "
          f"GET {args.url}: {len(times):,} pages, {len(times) / args.seconds:.1f} pages/s; "
          f"latency median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
