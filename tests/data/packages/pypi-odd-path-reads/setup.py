from setuptools import setup

setup(name="oddpath-pkg", version="0.1.0", packages=["oddpath_pkg"])
