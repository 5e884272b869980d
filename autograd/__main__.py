"""``python -m autograd``: the gradwalk command line (see `autograd.cli`)."""

from autograd.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
