"""Accounts, roles, the setup wizard, sign-in, two-factor authentication and API tokens."""
