"""bench/loadgen.py against a tiny HTTP server: every request is counted, and connections open
one after another (each once the one before has had an answer), not in one burst."""

import asyncio

from bench.loadgen import build_request, run_load


class CountingServer:
    """Answers every request with 200 (or `status`); notes, for each new connection, how many
    answers had been sent when it arrived."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.answers = 0
        self.answers_when_opened: list[int] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.answers_when_opened.append(self.answers)
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                self.answers += 1
                writer.write(f"HTTP/1.1 {self.status} X\r\nContent-Length: 2\r\n\r\nok".encode())
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def load(server: CountingServer, *, total: int, concurrency: int) -> dict:
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        raw = build_request("GET", "/x", "127.0.0.1", port)
        result = await run_load("127.0.0.1", port, [raw], total=total, concurrency=concurrency)
    finally:
        listener.close()
        await listener.wait_closed()
    return result.summary()


async def test_connections_open_one_after_another():
    server = CountingServer()
    summary = await load(server, total=200, concurrency=8)
    assert (summary["requests"], summary["errors"], server.answers) == (200, 0, 200)
    assert len(server.answers_when_opened) == 8
    assert all(answers >= k for k, answers in enumerate(server.answers_when_opened))


async def test_fewer_requests_than_connections_still_finish():
    server = CountingServer()
    summary = await load(server, total=3, concurrency=8)
    assert (summary["requests"], server.answers) == (3, 3)


async def test_unexpected_answers_are_errors_and_the_ramp_goes_on():
    server = CountingServer(status=503)
    summary = await load(server, total=20, concurrency=4)
    assert (summary["requests"], summary["errors"], summary["statuses"]) == (20, 20, {"503": 20})
    assert len(server.answers_when_opened) == 4
