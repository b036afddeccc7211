"""Dossiers from submission to signed result."""
