"""``python -m autograd.exercises``: see `autograd.exercises.main`."""

import sys

from autograd.exercises import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
