"""Google credentials: Application Default Credentials, optionally impersonating a service account."""

from __future__ import annotations

import os
from typing import Any

from cmm_scan.errors import UserError
from cmm_scan.gcp.options import Options

# cloud-platform for the cloud APIs; the directory's read-only scopes for the organisation's people (Admin SDK, Cloud
# Identity SSO profiles), which answer only an identity holding a directory admin role (else unknown)
SCOPES = [
    "https://www.googleapis.com/auth/cloud-platform.read-only",
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.directory.customer.readonly",
    "https://www.googleapis.com/auth/cloud-identity.inboundsso.readonly",
    "https://www.googleapis.com/auth/cloud-identity.policies.readonly",
]
ENDPOINT_ENV = "CMM_SCAN_GCP_ENDPOINT"


def endpoint(options: Options) -> str | None:
    """One base URL for every Google API: --endpoint-url, else $CMM_SCAN_GCP_ENDPOINT, else Google's hosts."""
    value = options.endpoint_url or os.environ.get(ENDPOINT_ENV) or None
    if value and not value.startswith(("http://", "https://")):
        raise UserError(f"GCP endpoint '{value}' is not an http(s) URL", f"set --endpoint-url or {ENDPOINT_ENV} to e.g. https://host:port")
    return value.rstrip("/") if value else None


def load(options: Options) -> Any:
    """ADC (gcloud user, key file in GOOGLE_APPLICATION_CREDENTIALS, metadata server, workload identity)."""
    import google.auth
    from google.auth import exceptions

    try:
        credentials, _ = google.auth.default(scopes=SCOPES)
    except exceptions.DefaultCredentialsError as exc:
        first = str(exc).splitlines()[0]
        raise UserError(
            f"no usable Google credentials: {first}",
            "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a key file",
        ) from None
    if options.impersonate_service_account:
        from google.auth import impersonated_credentials

        base = endpoint(options)
        credentials = impersonated_credentials.Credentials(
            source_credentials=credentials,
            target_principal=options.impersonate_service_account,
            target_scopes=SCOPES,
            iam_endpoint_override=(
                f"{base}/v1/projects/-/serviceAccounts/{options.impersonate_service_account}:generateAccessToken" if base else None
            ),
        )
    return credentials
