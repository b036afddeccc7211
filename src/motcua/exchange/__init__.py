"""The exchange between the national portal and the provincial dossier systems (issue 7): the
versioned contract (``contract/exchange-v1.yaml``), signed messages, outbox and inbox."""
