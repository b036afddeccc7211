"""Digitisation and reuse: paper components scanned at the counter and read by OCR into searchable
PDF/A with field suggestions the officer confirms; each person's electronic data store (signed
results and digitised components) and its reuse in later dossiers."""
