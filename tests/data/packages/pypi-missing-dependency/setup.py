# Test package: the dependency exists on no index, so the sandbox's install fails unless
# it is retried without dependencies; the payload is in the module, at import.
from setuptools import setup

REQUIRES = ["pkgsandbox-absent-dependency-zq93==4.0.1"]

setup(name="absentdep-pkg", version="0.1.0", packages=["absentdep_pkg"],
      install_requires=REQUIRES)
