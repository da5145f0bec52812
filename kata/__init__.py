"""kata: a self-grading practice CLI for advanced Python exercises."""

__version__ = "0.1.0"
