"""Indicators of service to citizens and businesses, from fact tables kept on each dossier event."""
