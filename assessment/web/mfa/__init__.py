"""Two-step verification: the account's security page and the sign-in step."""
