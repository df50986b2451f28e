from setuptools import setup

setup(name="hang-pkg", version="0.1.0", packages=["hang_pkg"])
