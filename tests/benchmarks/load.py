"""A minimal keep-alive HTTP/1.1 client on asyncio streams: a load generator whose own
cost per request is small next to the server's, so the figures measure the server."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import uvloop

MakeRequest = Callable[[int, int], tuple[str, str, dict[str, str], Any]]


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer, f"{parts.hostname}:{parts.port}")

    async def request(self, method: str, path: str, headers: dict[str, str],
                      body: Any = None) -> tuple[int, bytes]:
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}",
                f"Content-Length: {len(payload)}", "Content-Type: application/json",
                *[f"{name}: {value}" for name, value in headers.items()]]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def drive(urls: list[str], clients: int, per_client: int, make: MakeRequest) -> Run:
    """`clients` connections (spread over `urls`), each sending `per_client` requests
    back to back; `make(client, number)` gives method, path, headers and body.

    On uvloop: with one client, the load generator's own time per request adds to every
    round trip measured, and uvloop roughly halves it."""
    return uvloop.run(_drive(urls, clients, per_client, make))


async def _drive(urls: list[str], clients: int, per_client: int, make: MakeRequest) -> Run:
    connections = [await Connection.open(urls[index % len(urls)]) for index in range(clients)]
    statuses: dict[int, int] = {}

    async def client(index: int) -> None:
        for number in range(per_client):
            status, _ = await connections[index].request(*make(index, number))
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*[client(index) for index in range(clients)])
    elapsed = time.perf_counter() - started
    for connection in connections:
        await connection.close()
    return Run(clients * per_client, elapsed, statuses)
