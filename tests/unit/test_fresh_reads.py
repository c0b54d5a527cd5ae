"""FreshReads: concurrent callers share a read, and none is answered by a read sent before
it asked (a login disabled just before a request must be seen by that request)."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

from aidledger.services.fresh_reads import FreshReads


class _Store:
    """A value that changes, read slowly: each read takes the value when it is sent and
    answers when released."""

    def __init__(self) -> None:
        self.value = "active"
        self.sent: list[tuple[str, asyncio.Event]] = []

    async def read(self, key: str) -> str:
        seen, release = self.value, asyncio.Event()
        self.sent.append((key, release))
        await release.wait()
        return f"{key}:{seen}"

    def release_all(self) -> None:
        for _, release in self.sent:
            release.set()


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_callers_who_arrive_together_share_one_read() -> None:
    async def scenario() -> None:
        store, reads = _Store(), FreshReads[str, str]()
        callers = [asyncio.create_task(reads.get("ana", store.read)) for _ in range(8)]
        await _settle()
        assert len(store.sent) == 1
        store.release_all()
        assert await asyncio.gather(*callers) == ["ana:active"] * 8
        assert len(store.sent) == 1

    asyncio.run(scenario())


def test_a_caller_arriving_while_a_read_is_out_waits_for_the_next() -> None:
    async def scenario() -> None:
        store, reads = _Store(), FreshReads[str, str]()
        early = asyncio.create_task(reads.get("ana", store.read))
        await _settle()
        store.value = "disabled"  # committed after the first read was sent
        late = [asyncio.create_task(reads.get("ana", store.read)) for _ in range(3)]
        await _settle()
        assert len(store.sent) == 1  # the next read waits for the one out
        store.release_all()
        await _settle()
        assert len(store.sent) == 2  # one more read, for the three late callers together
        store.release_all()
        assert await early == "ana:active"
        assert await asyncio.gather(*late) == ["ana:disabled"] * 3

    asyncio.run(scenario())


def test_keys_are_read_apart_and_a_failure_reaches_each_caller() -> None:
    async def failing(key: str) -> str:
        raise RuntimeError(f"no {key}")

    async def scenario() -> None:
        store, reads = _Store(), FreshReads[str, str]()
        ana, ben = (asyncio.create_task(reads.get(key, store.read)) for key in ("ana", "ben"))
        await _settle()
        assert sorted(key for key, _ in store.sent) == ["ana", "ben"]
        store.release_all()
        assert (await ana, await ben) == ("ana:active", "ben:active")
        failed = [asyncio.create_task(reads.get("cleo", failing)) for _ in range(2)]
        for caller in failed:
            with pytest.raises(RuntimeError, match="no cleo"):
                await caller
        # Nothing is left behind: a later caller starts a read of its own.
        later = asyncio.create_task(reads.get("ana", store.read))
        await _settle()
        store.release_all()
        assert await later == "ana:active" and len(store.sent) == 3

    asyncio.run(scenario())


def test_a_caller_that_goes_away_leaves_the_read_to_the_others() -> None:
    async def scenario() -> None:
        store, reads = _Store(), FreshReads[str, str]()
        leaving = asyncio.create_task(reads.get("ana", store.read))
        staying = asyncio.create_task(reads.get("ana", store.read))
        await _settle()
        leaving.cancel()
        store.release_all()
        assert await staying == "ana:active"
        assert leaving.cancelled()

    asyncio.run(scenario())


def test_a_reader_stopped_mid_read_leaves_no_one_waiting_for_ever() -> None:
    async def scenario() -> None:
        store, reads = _Store(), FreshReads[str, str]()
        out = asyncio.create_task(reads.get("ana", store.read))
        await _settle()
        queued = asyncio.create_task(reads.get("ana", store.read))
        await _settle()
        (reader,) = reads._readers.values()
        reader.cancel()
        await _settle()
        assert out.cancelled() and queued.cancelled()
        again = asyncio.create_task(reads.get("ana", store.read))
        await _settle()
        store.release_all()
        assert await again == "ana:active"

    asyncio.run(scenario())


def test_the_reader_runs_outside_the_first_callers_context() -> None:
    """It serves every caller, so it must not read inside a transaction (a context
    variable) of whichever caller came first."""
    current: contextvars.ContextVar[str | None] = contextvars.ContextVar("current",
                                                                         default=None)

    async def read(key: str) -> str:
        return f"{key} in {current.get()}"

    async def scenario() -> None:
        reads = FreshReads[str, str]()
        current.set("a transaction of the first caller's")
        assert await reads.get("ana", read) == "ana in None"

    asyncio.run(scenario())
