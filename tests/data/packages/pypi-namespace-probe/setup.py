from setuptools import setup

setup(name="ns-probe", version="1.0.0", packages=["ns_probe"])
