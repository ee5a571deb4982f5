"""Keep credentials out of everything the tool writes.

Tags, labels and free-form metadata are evidence (their keys, and the values rules read), but people
also put passwords and tokens in them. Every fact passes through `redact_fact` before it is written
(the snapshot writer calls it, so every provider's collection path does), and coverage reasons through
`redact_text`. A string is replaced by REDACTED when

- it sits under a key whose name says it holds a credential (`password`, `api_key`, `clientSecret`,
  `DB_TOKEN`...), for keys that come from the estate (tag keys, label keys; any key below the fact's
  own attribute names, which are ours and declared in providers/facts.yaml); or
- its content looks like one wherever it appears: `token=...`, `password: ...`, a URL with a password,
  a private key block, a JSON Web Token, a cloud access key id or a well-known token prefix.

Provider adapters that build facts themselves call `redact_attributes` (or rely on the writer).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from cmm_scan.models import Coverage, Fact
from cmm_scan.oneline import one_line

REDACTED = "[redacted]"

# Parts of a key name (lower-cased, separators dropped) that mark a credential: DB_PASSWORD, clientSecret,
# api-key, x-auth-token. Whole words only for the short ones, which occur inside harmless words.
_SECRET_PARTS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "apikey",
    "accesskey",
    "privatekey",
    "accountkey",
    "sharedkey",
    "connectionstring",
    "connstr",
)
_SECRET_WORDS = frozenset({"pwd", "sas"})
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")

_ASSIGNED = r"(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?)"
_CONTENT = re.compile(
    "|".join(
        (
            rf"(?i:(?<![A-Za-z0-9:/]){_ASSIGNED}[A-Za-z0-9_-]*\s*[=:]\s*\S)",  # token=..., password: ..., DB_PASSWORD=...
            r"(?i:\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@)",  # scheme://user:password@host
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----",
            r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",  # JSON Web Token
            r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",  # AWS access key id
            r"\bAIza[0-9A-Za-z_-]{35}",  # Google API key
            r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})",  # GitHub tokens
            r"\bglpat-[A-Za-z0-9_-]{20,}",  # GitLab personal access token
            r"\bxox[abposr]-[A-Za-z0-9-]{10,}",  # Slack tokens
            r"\b[rs]k_live_[A-Za-z0-9]{16,}",  # Stripe live keys
            r"(?i:\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=)",  # Azure connection strings
            r"(?i:[?&]sig=[A-Za-z0-9%+/=]{16,})",  # Azure SAS URL
            r"(?i:\bbearer\s+[A-Za-z0-9._~+/-]{16,})",
        )
    )
)


@lru_cache(maxsize=8192)  # tag keys repeat across an estate
def secret_key(name: str) -> bool:
    """A key name that says its value is a credential."""
    words = [w.lower() for w in _WORD_SPLIT.split(name) if w]
    joined = "".join(words)
    return any(part in joined for part in _SECRET_PARTS) or any(w in _SECRET_WORDS for w in words)


# Every pattern above needs one of these: most values (names, states, ids) have none and skip the big search.
_ANCHORS = re.compile(r"[=:]|-----BEGIN|eyJ|AKIA|ASIA|AIza|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|k_live_|(?i:bearer)")


def secret_text(text: str) -> bool:
    """A string whose content looks like a credential."""
    return _ANCHORS.search(text) is not None and _CONTENT.search(text) is not None


def redact_text(text: str) -> str:
    return REDACTED if secret_text(text) else text


def _has_secret(value: Any, estate_keys: bool) -> bool:
    """A read-only walk first: nearly every fact is clean, and copying its attributes would be the cost."""
    if isinstance(value, str):
        return len(value) >= 5 and secret_text(value)  # the shortest credential-looking text is `pwd=x`
    if isinstance(value, dict):
        return any(
            (estate_keys and isinstance(item, str) and secret_key(str(key))) or _has_secret(item, True) for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return any(_has_secret(item, estate_keys) for item in value)
    return False


def _redact(value: Any, estate_keys: bool) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {
            key: (REDACTED if estate_keys and isinstance(item, str) and secret_key(str(key)) else _redact(item, True))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item, estate_keys) for item in value]
    return value


def redact_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """A copy of a fact's attributes without credentials. The top-level names are ours (facts.yaml) and
    judged by content only; keys below them (tags, labels) come from the estate and are judged by name too."""
    return _redact(attributes, estate_keys=False)


def redact_fact(fact: Fact) -> Fact:
    """The fact itself when nothing in it looks like a credential, else a redacted copy."""
    if not _has_secret(fact.attributes, estate_keys=False) and not secret_text(fact.resource_id):
        return fact
    return fact.model_copy(update={"attributes": redact_attributes(fact.attributes), "resource_id": redact_text(fact.resource_id)})


def redact_coverage(entry: Coverage) -> Coverage:
    """Also cut the reason to one line: an SDK error can carry a whole HTML page from a proxy."""
    reason = one_line(redact_text(entry.reason))
    return entry if reason == entry.reason else entry.model_copy(update={"reason": reason})
