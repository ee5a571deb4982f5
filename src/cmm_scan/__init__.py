"""cmm-scan: evidence-backed suggested answers for the GOV.UK Cloud Maturity Model."""

__version__ = "0.1.0"
