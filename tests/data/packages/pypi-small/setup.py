from setuptools import setup

setup(name="small-pkg", version="1.0.0", packages=["small_pkg"])
