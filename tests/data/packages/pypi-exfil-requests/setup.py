from setuptools import setup

setup(name="exfil-requests-pkg", version="0.1.0", packages=["exfil_requests_pkg"],
      install_requires=["requests"])
