"""The two-level operation report (``motcua report two-level``): HTML and PDF from the same data."""
