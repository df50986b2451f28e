"""Rule engine: YAML rules loaded and checked (`ruleset`), matched against a trace and the
static signals (`match`, `leaves*`), and scored into a verdict (`engine`, `scoring`)."""
