"""The reports auditors export (API.md "Reports (auditors export)").

Each report module reads what it needs in a fixed handful of queries (never one per row),
works the figures out with the domain, and renders them as JSON, CSV or PDF through
`output.py`, `tables.py` and `pdf.py`. The API and the `aidledger report` command both
call `catalog.py`, so a report reads the same from the shell as over HTTP.
"""
