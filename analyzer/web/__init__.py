"""The review server and the static report site: index, reports and triage decisions."""
