"""Source repositories as a provider: local checkouts read with `git`, and Git hosts through their APIs."""
