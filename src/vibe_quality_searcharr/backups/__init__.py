"""Operations on the data itself: online backups, checked restores and key rotation."""
