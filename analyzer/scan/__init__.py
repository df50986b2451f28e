"""`pkgsandbox scan`: a project's own dependencies checked against OSV, typosquats, the sandbox."""
