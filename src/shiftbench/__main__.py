"""``python -m shiftbench`` is the ``shiftbench`` command."""

import sys

from shiftbench.cli import main

sys.exit(main())
