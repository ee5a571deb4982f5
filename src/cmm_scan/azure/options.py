"""What an Azure scan is asked to read: typed options, parsed once at the command line (no SDK import here)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant: str | None = Field(default=None, description="tenant id (default: the credential's home tenant)")
    subscriptions_include: list[str] = Field(default_factory=list, description="only these subscriptions (default: every enabled one)")
    subscriptions_exclude: list[str] = Field(default_factory=list, description="never these")
    management_group: str | None = Field(default=None, description="only the subscriptions under this management group")
    endpoint_url: str | None = Field(default=None, description="Resource Manager endpoint (tests, sovereign clouds)")
    regions: list[str] | None = Field(default=None, description="only facts in these locations (default: all)")
    workers: int = Field(default=8, ge=1)
    shard: tuple[int, int] | None = None

    @field_validator("subscriptions_include", "subscriptions_exclude")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.strip().lower() for v in values if v.strip()]

    @classmethod
    def parse_subscriptions(cls, text: str | None) -> tuple[list[str], list[str]]:
        """'a,b,!c' -> (['a', 'b'], ['c'])."""
        items = [s.strip() for s in (text or "").split(",") if s.strip()]
        return [s for s in items if not s.startswith("!")], [s[1:] for s in items if s.startswith("!")]
