"""Documents: the one-stop forms as PDFs, and signed results (PAdES)."""
