from setuptools import setup

setup(name="bind-shell-pkg", version="0.1.0", packages=["bind_shell_pkg"])
