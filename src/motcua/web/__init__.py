"""Server-rendered pages: thin adapters over the domain services."""
