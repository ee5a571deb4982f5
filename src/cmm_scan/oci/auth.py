"""OCI credentials: a request signer and the tenancy it signs for. The oci SDK is imported only here, when a scan runs.

Kinds: `config` (API key from the config file, or its `security_token_file` when the profile has one),
`security_token` (session token from `oci session authenticate`), `instance_principal`, `resource_principal`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmm_scan.errors import UserError

AUTH_KINDS = ("config", "security_token", "instance_principal", "resource_principal")
DEFAULT_CONFIG = "~/.oci/config"


@dataclass
class Identity:
    signer: Any  # a requests auth object that signs OCI requests (draft-cavage RSA-SHA256)
    tenancy: str
    region: str | None  # the profile's or principal's region: where identity calls go first


def config_path(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get("OCI_CONFIG_FILE") or DEFAULT_CONFIG).expanduser()


def identity(auth: str, config_file: str | None = None, profile: str | None = None) -> Identity:
    if auth not in AUTH_KINDS:
        raise UserError(f"--auth {auth!r} is not an OCI credential kind", f"use one of: {', '.join(AUTH_KINDS)}")
    import oci

    if auth == "instance_principal":
        try:
            signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
        except Exception as exc:  # the SDK raises several kinds when the metadata service is absent
            raise UserError(
                f"no instance principal: {type(exc).__name__}", "run on an OCI instance in a dynamic group, or use --auth config"
            ) from None
        return Identity(signer, signer.tenancy_id, getattr(signer, "region", None))
    if auth == "resource_principal":
        try:
            signer = oci.auth.signers.get_resource_principals_signer()
        except Exception as exc:
            raise UserError(
                f"no resource principal: {type(exc).__name__}",
                "set OCI_RESOURCE_PRINCIPAL_VERSION (OCI Functions do), or use --auth config",
            ) from None
        return Identity(signer, signer.tenancy_id, getattr(signer, "region", None))
    return _from_config(oci, auth, config_path(config_file), profile or os.environ.get("OCI_CLI_PROFILE") or "DEFAULT")


def _from_config(oci: Any, auth: str, path: Path, profile: str) -> Identity:
    hint = "write it with `oci setup config`, or name another with --config-file / OCI_CONFIG_FILE"
    if not path.is_file():
        raise UserError(f"OCI config file {path} does not exist", hint)
    try:
        config = oci.config.from_file(str(path), profile)
    except oci.exceptions.ProfileNotFound:
        raise UserError(f"{path}: no profile [{profile}]", "name one that exists with --oci-profile or OCI_CLI_PROFILE") from None
    except (oci.exceptions.ConfigFileNotFound, oci.exceptions.InvalidConfig, ValueError) as exc:
        raise UserError(f"{path}: {exc}", hint) from None
    tenancy, region = config.get("tenancy"), config.get("region")
    if not tenancy:
        raise UserError(f"{path} [{profile}]: no tenancy", "add tenancy=ocid1.tenancy... to the profile")
    try:
        if auth == "security_token" or config.get("security_token_file"):
            token_file = config.get("security_token_file")
            if not token_file:
                raise UserError(f"{path} [{profile}]: no security_token_file", "run `oci session authenticate`, or use --auth config")
            token = Path(token_file).expanduser().read_text(encoding="utf-8").strip()
            key = oci.signer.load_private_key_from_file(config["key_file"], config.get("pass_phrase"))
            return Identity(oci.auth.signers.SecurityTokenSigner(token, key), tenancy, region)
        oci.config.validate_config(config)
        signer = oci.signer.Signer(
            tenancy=tenancy,
            user=config["user"],
            fingerprint=config["fingerprint"],
            private_key_file_location=config.get("key_file"),
            pass_phrase=oci.config.get_config_value_or_default(config, "pass_phrase"),
            private_key_content=config.get("key_content"),
        )
    except (oci.exceptions.InvalidConfig, oci.exceptions.InvalidPrivateKey, OSError, KeyError, ValueError) as exc:
        raise UserError(f"{path} [{profile}]: {type(exc).__name__}: {exc}", hint) from None
    return Identity(signer, tenancy, region)
