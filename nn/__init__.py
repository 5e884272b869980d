"""gradwalk's neural-network library, built on `autograd`."""
