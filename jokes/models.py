"""The joke collection. Its models arrive with the jokes issue (see README.md)."""
