import enum
from urllib.parse import urlparse


class ProxyType(enum.Enum):
    SOCKS4 = 1
    SOCKS5 = 2
    HTTP = 3


class ProxyConnector:
    def __init__(self, proxy_type=ProxyType.SOCKS5, host=None, port=None, rdns=True, **kwargs):
        self.proxy_type, self.host, self.port, self.rdns = proxy_type, host, port, rdns

    @classmethod
    def from_url(cls, url, **kwargs):
        parsed = urlparse(url)
        kind = ProxyType[parsed.scheme.upper().rstrip("H")] if parsed.scheme != "http" else ProxyType.HTTP
        return cls(kind, parsed.hostname, parsed.port, **kwargs)


class ChainProxyConnector:
    def __init__(self, proxy_infos, **kwargs):
        self.proxy_infos = list(proxy_infos)
