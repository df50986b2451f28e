from setuptools import setup

setup(name="late-straggler-pkg", version="0.1.0", packages=["late_straggler_pkg"])
