"""The one TLS policy for every request the application makes (login, sync, tiles,
streams, self-test): the system's trust store by default; a city that runs its own CA
names it in the managed config (`ca_certificate`), trusted beside the system's, or
alone with `ca_only = true`. Verification is never turned off.

httpx on its own trusts certifi's bundle, not the system's: a city that installs its CA
into the tablet's system store would then see `CERTIFICATE_VERIFY_FAILED`. Every client
here is built with `TlsPolicy.context()` instead.
"""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass

from client.errors import UserFacingError


class TlsSetupError(UserFacingError):
    """The configured CA cannot be used (missing file, not a PEM certificate)."""


@dataclass(frozen=True, slots=True)
class TlsPolicy:
    ca_certificate: str = ""
    ca_only: bool = False

    def context(self) -> ssl.SSLContext:
        """A verifying client context; raises `TlsSetupError` naming the file when the
        configured CA cannot be loaded. Built once per policy: reading the trust store
        is disk work that every reconnect of a stream would otherwise repeat."""
        return _context(self.ca_certificate, self.ca_only)

    def describe(self) -> str:
        if not self.ca_certificate:
            return "the system's trusted CAs"
        if self.ca_only:
            return f"only the CA in {self.ca_certificate}"
        return f"the system's trusted CAs and the CA in {self.ca_certificate}"


SYSTEM_TRUST = TlsPolicy()


@functools.cache
def _context(ca_certificate: str, ca_only: bool) -> ssl.SSLContext:
    if ca_only and not ca_certificate:
        raise TlsSetupError("ca_only = true needs ca_certificate (the CA to trust)")
    try:
        context = ssl.create_default_context(cafile=ca_certificate or None)
    except (OSError, ssl.SSLError) as exc:
        raise TlsSetupError(f"ca_certificate {ca_certificate}: {exc}") from exc
    if ca_certificate and not ca_only:
        context.load_default_certs()
    return context
