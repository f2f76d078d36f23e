"""gunicorn settings for the API. gunicorn reads this file from the working directory;
command-line flags override it."""

import os

# bench/load_test.py on 2 cores served the mixed workload best with 3 processes of 2
# threads: more threads per process mostly wait for each other (the GIL).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_class = "gthread"

# Load Django and every view once, before forking: all workers are ready together, instead
# of the first requests landing while the others still import (a 500 ms tail at start).
preload_app = True

# SIGTERM: stop accepting, let requests in flight finish for up to this long, then exit.
# docker-compose.yml's stop_grace_period for the web service is a little longer.
graceful_timeout = 25
