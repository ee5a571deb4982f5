"""Hand-written GCP collectors (docs/cloud-collectors.md): what one spec entry cannot say."""
