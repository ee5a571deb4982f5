"""What every cloud adapter shares: the collector spec format, the executor that runs it through a
provider transport, retries, and the permission list (docs/cloud-collectors.md).

Nothing here imports a cloud SDK: a provider brings its own Transport.
"""
