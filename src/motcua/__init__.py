"""motcua: one-stop public services for Vietnam's two-level local government."""

__version__ = "0.1.0"
