"""Reorganisations of the administrative map: a resolution as data, checked, planned, applied ahead
and taking effect at 00:00 Vietnam time on its date for units, agencies, centres, officials, open
dossiers and feedback."""
