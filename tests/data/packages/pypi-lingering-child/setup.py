from setuptools import setup

setup(name="lingering-child-pkg", version="0.1.0", packages=["lingering_child_pkg"])
