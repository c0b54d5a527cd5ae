"""The rules module: eligibility, approval and course-credit policies kept as YAML files in
policies/, evaluated with CEL, decided with reasons. Pure: no database, no HTTP."""
