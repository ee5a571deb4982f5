"""Hand-written collectors, for what a spec cannot say. Each declares its calls in its spec's `permissions`."""
