"""Typosquatting: does a package name imitate a popular one (`checker.check_name`), against
the popularity lists shipped in `data/` (`lists`)."""
