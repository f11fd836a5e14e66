"""Where webhooks may go: public internet addresses only (no SSRF).

A webhook URL is chosen by whoever holds a network key, and the server POSTs to it. Left
unchecked that lets a key holder make the server reach addresses inside its own network (an
admin port on 127.0.0.1, the cloud metadata service on 169.254.169.254, a database on 10.x).
So a target is checked twice:

- **When saved** (:func:`refusal_for_url`): an address written as a literal, in any spelling the
  C resolver accepts (``2130706433``, ``0x7f.0.0.1``, ``127.1``, ``[::1]``,
  ``[::ffff:127.0.0.1]``), and the names that always mean this machine or the metadata service
  (``localhost``, ``*.localhost``, ``metadata.google.internal``, …). Names are not resolved here:
  what a name points at can change after saving.
- **When delivered** (:func:`resolve`): the host is resolved once, *every* address it resolves to
  must be public, and the request is then sent to that checked address (:func:`pinned_request`:
  the URL carries the IP, the ``Host`` header and TLS SNI/certificate check keep the name), so a
  second lookup cannot swap in another address (DNS rebinding). Redirects are never followed.

`EXCHANGE_WEBHOOK_ALLOW_PRIVATE_TARGETS` turns the address rule off for local development and
the test suite (receivers on 127.0.0.1); the settings refuse it in production mode.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that mean this machine or a cloud metadata service whatever DNS says.
LOCAL_NAMES = frozenset({
    "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback",
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data",
    "instance-data.ec2.internal",
})
# Cloud metadata services, named in the refusal (most are link-local or unique-local anyway).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192",
))
# Not reachable on the public internet, though Python's `is_global` says so for some of them
# (or says so only on some Python versions).
NON_PUBLIC_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4",
))
# IPv6 prefixes that carry an IPv4 address inside (NAT64, 6to4): the IPv4 one is what is reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

_LEGACY_IPV4 = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)


class TargetRefused(Exception):
    """The target is not a public internet address."""


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP literal means, in any spelling the resolver takes
    (inet_aton's legacy forms: decimal, octal, hex, short dotted), else None."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def refusal_for_address(address: IPAddress) -> str | None:
    """Why a webhook may not go to this address, or None when it is a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal_for_address(embedded)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address in ipaddress.ip_network("fc00::/7"):
        return "a unique-local address"
    if address.is_private:
        return "a private address"
    if (not address.is_global or address.is_reserved
            or any(address in network for network in NON_PUBLIC_NETWORKS
                   if network.version == address.version)):
        return "a reserved address"
    return None


def refusal_for_url(url: str) -> str | None:
    """Why a URL may not be saved as a webhook target (checked without DNS), or None."""
    try:
        host = httpx.URL(url).host
    except (httpx.InvalidURL, ValueError):
        return "not a valid address"
    host = host.lower().rstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return f"{host} is this machine or a metadata service"
    address = literal_address(host)
    if address is not None:
        reason = refusal_for_address(address)
        if reason:
            return f"{host} is {reason}"
    return None


@dataclass(frozen=True)
class Target:
    """A webhook URL with the one address it will be sent to."""

    url: httpx.URL
    address: IPAddress


def resolve(url: str, *, allow_private: bool = False) -> Target:
    """Resolve the URL's host once and check every address it gives; raises TargetRefused."""
    parsed = httpx.URL(url)
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise TargetRefused("not an http(s) address")
    if not allow_private:
        reason = refusal_for_url(url)
        if reason:
            raise TargetRefused(reason)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parsed.raw_host.decode("ascii"), port,
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"{parsed.host} could not be resolved ({exc})") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
    if not addresses:
        raise TargetRefused(f"{parsed.host} has no address")
    if not allow_private:
        # Every address, not only the first: a name answering with both a public and a
        # private address must not get a private connection on some other attempt.
        for address in addresses:
            reason = refusal_for_address(address)
            if reason:
                raise TargetRefused(f"{parsed.host} resolves to {address}, {reason}")
    return Target(parsed, addresses[0])


def pinned_request(client: httpx.Client, target: Target, *, content: bytes,
                   headers: dict[str, str]) -> httpx.Request:
    """A POST that connects to `target.address` while speaking to the URL's host: the Host
    header carries the name, and for https the SNI and the certificate check use it too."""
    url = target.url
    ip = str(target.address)
    pinned = url.copy_with(host=ip)
    host_header = url.netloc.decode("ascii")
    return client.build_request(
        "POST", pinned, content=content, headers={**headers, "host": host_header},
        extensions={"sni_hostname": url.host} if url.scheme == "https" else {})


def excerpt(text: str, limit: int = 120) -> str:
    """A short, printable excerpt of a receiver's answer for the delivery log: control,
    format (bidi) and other invisible characters become spaces, runs of space collapse."""
    cleaned = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 1] + "…"
