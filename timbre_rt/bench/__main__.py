"""`python -m timbre_rt.bench`: see `python -m timbre_rt.bench --help`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
