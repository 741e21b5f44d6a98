"""Personal access tokens for the API, on the account area (/account/tokens)."""
