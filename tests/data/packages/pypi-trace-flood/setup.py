from setuptools import setup

setup(name="flood-pkg", version="0.1.0", packages=["flood_pkg"])
