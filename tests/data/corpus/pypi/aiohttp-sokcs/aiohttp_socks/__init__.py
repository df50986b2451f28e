__title__ = 'aiohttp-socks'
__version__ = '0.8.4'

from ._proxy import ProxyType, ProxyConnector, ChainProxyConnector  # noqa: F401
from . import _resolver  # noqa: F401

__all__ = ('ProxyType', 'ProxyConnector', 'ChainProxyConnector')
