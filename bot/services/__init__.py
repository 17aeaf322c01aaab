"""Business logic; no module here imports telegram."""
