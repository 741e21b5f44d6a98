"""The enterprise profile page (/account/profile)."""
