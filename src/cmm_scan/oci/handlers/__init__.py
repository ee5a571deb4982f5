"""Hand-written OCI collectors (docs/cloud-collectors.md): what the spec data cannot express."""
