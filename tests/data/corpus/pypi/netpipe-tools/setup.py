from setuptools import setup

setup(name="netpipe-tools", version="0.5.1", packages=["netpipe"],
      description="Async TCP pipe and port-forwarding helpers.")
