"""Passwords, sessions, CSRF, TOTP, encryption of stored secrets, rate limits and headers."""
