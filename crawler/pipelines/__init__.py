"""Item pipelines, one job each: clean -> validate (-> dedup, added by the state work)."""
