"""Procedure catalog with its decentralisation timeline, agencies, service centres and routing."""
