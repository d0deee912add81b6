"""A local Pleo look-alike HTTP server for demos, development, tests and benchmarks.

Pure Python (never imports Odoo). See README.md in this directory.
"""

from .server import SandboxServer

__all__ = ["SandboxServer"]
