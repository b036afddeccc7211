"""Accounts: people who act in motcua, their role and the unit it is scoped to."""
