"""The tamper-evident record beyond the dossiers' own logs: an audit trail of sign-ins, imports,
catalog, account and configuration changes (hash-chained like the dossier events), and the daily
seals that sign every day's events of both, so that deletion, truncation and recomputation are
detected."""
