"""Hand-written Azure collectors: what a spec cannot say (aggregations)."""
