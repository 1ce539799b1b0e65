"""``python -m supplynet.server.cli``: the same command line as the ``supplynet`` script.

Guarded: worker processes import the main module again (the job runner's forkserver
preloads it), and that import must not run a second command line.
"""

import sys

from supplynet.server.cli import main

if __name__ == "__main__":
    sys.exit(main())
