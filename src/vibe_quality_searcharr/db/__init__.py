"""Database access: the engine (SQLCipher or PostgreSQL), sessions, the base model, migrations."""
