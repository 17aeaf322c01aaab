"""Pictures of the statistics (matplotlib; no torch)."""
