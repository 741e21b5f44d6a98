"""PDF diagnosis report downloads (the `reports` blueprint)."""
