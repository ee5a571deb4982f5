"""Policy baselines: a department's "must" statements as checks over the same neutral facts (docs/baselines.md)."""
