"""Nothing at import."""
