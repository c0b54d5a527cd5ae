"""The memory of a server process the benchmarks started, read from /proc."""

from __future__ import annotations

from pathlib import Path


def server_pid(port: int) -> int:
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = status.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"uvicorn" in b" ".join(words) and str(port).encode() in words:
            return int(status.parent.name)
    raise LookupError(f"no server process on port {port}")


def resident_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)
