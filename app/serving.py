"""gunicorn's settings for serving Orderdesk in production (`make serve`):

    gunicorn -c python:app.serving "app:create_app()"

Every app process is stateless (sessions are signed cookies, logins and everything else live in
PostgreSQL), so any number of them, on any number of machines sharing one database and one
SECRET_KEY, serve the same shop; the outbox worker (`flask --app app worker`) runs as its own
process beside them. Each value can be set from the environment, as platforms expect.
"""

from __future__ import annotations

import os

#: Where to listen: HOST (default loopback, behind a proxy) and PORT (8000).
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: a request mostly waits on PostgreSQL, so two per core keep the CPUs busy while
# others wait (gunicorn's own advice), and one more takes up the slack.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
# A worker silent this long is killed and replaced: no page or import call should take it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, staggered, so nothing one holds (memory) grows forever.
max_requests = 10_000
max_requests_jitter = 1_000
# Access and error logs to standard output and error, for the platform to collect.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# The proxies whose X-Forwarded-* headers gunicorn believes (the app's own TRUSTED_PROXIES
# says how many of them there are).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The heartbeat file on memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket: nothing here uses gunicornc, and several servers on one machine (or the
# tests) would share its one default path.
control_socket_disable = True
