"""A TCP proxy on loopback (asyncio, in a thread of its own) between a client
and nats-server, that can cut: drop every connection and refuse new ones
(its listening socket closed) until resumed on the same port."""
import asyncio
import socket
import threading


class CuttingProxy:
    def __init__(self, target_port, port=None):
        self.target_port = target_port
        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.writers = set()
        self.cuts = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._call(self._listen())

    @property
    def url(self):
        return "nats://127.0.0.1:%d" % self.port

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    async def _listen(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def _serve(self, reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self.writers.update((writer, up_writer))

        async def pipe(src, dst):
            try:
                while True:
                    data = await src.read(65536)
                    if not data:
                        break
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers.discard(writer)
        self.writers.discard(up_writer)

    async def _cut(self):
        self.server.close()
        await self.server.wait_closed()
        for w in list(self.writers):
            w.transport.abort()  # a reset, as a broken link or a dead peer looks
        self.writers.clear()

    def cut(self):
        """Drops all connections; new ones are refused until resume()."""
        self._call(self._cut())
        self.cuts += 1

    def resume(self):
        self._call(self._listen())

    def close(self):
        self._call(self._cut())
        self.loop.call_soon_threadsafe(self.loop.stop)
