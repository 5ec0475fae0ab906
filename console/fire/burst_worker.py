"""The entry point of one burst worker process: ``python -m console.fire.burst_worker`` (started by burst.py)."""

import sys

from console.fire.burst_pool import worker_main

if __name__ == "__main__":
    sys.exit(worker_main())
