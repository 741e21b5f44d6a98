"""My data: an enterprise user downloads everything held about the enterprise (/account/my-data.zip)."""
