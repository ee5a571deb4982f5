"""The GCP adapter: Cloud Asset Inventory first, per-service REST through google-auth for the rest."""
