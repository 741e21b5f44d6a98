"""The pure domain: no Flask, no database session."""
