"""gunicorn settings for `make serve` (production: PostgreSQL, behind nginx).

Workers and threads come from the environment. Threaded workers keep a long request (e.g. a
large export) from being killed by the worker heartbeat timeout.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
max_requests = int(
    os.environ.get("GUNICORN_MAX_REQUESTS", "2000")
)  # recycle slowly-leaking workers
max_requests_jitter = 200
accesslog = None  # the app writes structured access lines itself (LOG_REQUESTS=1)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
raw_env = [
    f"LOG_JSON={os.environ.get('LOG_JSON', '1')}",
    f"LOG_REQUESTS={os.environ.get('LOG_REQUESTS', '1')}",
]
