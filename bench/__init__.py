"""Throughput benchmark of the reader's cached article page against a bare-Django floor (see README.md)."""
