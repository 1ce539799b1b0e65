"""``python -m supplynet.server.cli``: the same command line as the ``supplynet`` script."""

import sys

from supplynet.server.cli import main

sys.exit(main())
