"""Online payment of fees: a provider interface, one module per provider, chosen by configuration."""
