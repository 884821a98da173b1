"""Fan-out: how many live-room viewers one ASGI process holds, and how fast a pin reaches them.

The room runs as production runs it: daphne serving config.asgi:application on the throwaway
PostgreSQL, with the Redis channel layer (config.channel_layers) on a throwaway redis-server
started here on a free port. Viewers are WebSocket clients (the `websockets` library, asyncio,
no compression) in separate processes, so they do not share the server's CPU accounting; the
host's console is one more socket, authenticated by a Django session cookie.

One process: viewers join in steps (LEVELS); at each step the host pins a product ROUNDS times
and every viewer notes when the pin arrived. Latency is from just before the host's socket sent
the pin to each viewer receiving it, both read from the same monotonic clock of this machine.
Viewers join at most JOIN_CONCURRENCY handshakes at a time per client process, and each pin is
sent once the room has been quiet for QUIET_SECONDS (the viewer-count broadcasts that joining
sets off have all arrived). A step is held when every viewer joined within JOIN_BUDGET_SECONDS
and every pin reached every viewer within DELIVERY_TIMEOUT; the benchmark goes on until a step
is not held. Then two daphne processes
share the Redis, viewers split evenly across them, the host on the first: 1,000 viewers, and as
many as one process held.

Environment: BENCH_FANOUT_LEVELS (comma-separated viewer counts) and BENCH_FANOUT_APP (the ASGI
application, config.asgi:application by default).

Correctness, failing the run: every pin reaches every viewer at 1,000 viewers (one process and
two), and one process holds at least 5,000 viewers.
"""

import asyncio
import contextlib
import json
import multiprocessing
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.bench.common import Result, base_params, make_product, ms, percentile

NAME = "fanout"
LEVELS = tuple(int(n) for n in os.environ.get("BENCH_FANOUT_LEVELS", "1000,2500,5000,7500,10000").split(","))
ROUNDS = 3
CLIENT_PROCESSES = 3
# Handshakes in flight per client process while viewers join: the server handles about 100 joins
# a second, and daphne drops a handshake its application has not accepted within 5 s.
JOIN_CONCURRENCY = 10
DELIVERY_TIMEOUT = 30.0
# A step whose viewers cannot all join within this is not held (the process is saturated).
JOIN_BUDGET_SECONDS = 240.0
# Before pinning, the room must be quiet this long: the throttled viewer-count broadcasts that
# joining set off have all arrived, so they do not add to the pin's latency.
QUIET_SECONDS = 2.5
QUIET_WAIT_MAX = 120.0
MIN_VIEWERS_HELD = 5000
# What daphne serves; another application only to compare a variant of the room.
ASGI_APP = os.environ.get("BENCH_FANOUT_APP", "config.asgi:application")


def _raise_open_files_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout:.0f} s")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- client processes: viewers, and the host's console ----------------------------------------


class _Clients:
    """The asyncio side of one client process, driven by commands from the benchmark process."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.sockets: list = []
        self.readers: list[asyncio.Task] = []
        self.expect: str | None = None
        self.arrived: dict[int, float] = {}
        self.everyone = asyncio.Event()
        self.open = 0
        self.last_message_at = time.monotonic()
        self.host = None
        self.host_errors: list[str] = []

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command, kwargs = await loop.run_in_executor(None, self.pipe.recv)
            if command == "stop":
                break
            try:
                reply = await getattr(self, command)(**kwargs)
            except Exception as error:  # noqa: BLE001 - the benchmark process reports it
                reply = {"error": f"{type(error).__name__}: {error}"}
            self.pipe.send(reply)
        await self.close()
        self.pipe.send({"stopped": True})

    async def _open(self, url: str, origin: str, cookie: str | None = None):
        from websockets.asyncio.client import connect

        headers = {"Cookie": cookie} if cookie else None
        ws = await connect(
            url, origin=origin, additional_headers=headers, compression=None, proxy=None,
            open_timeout=DELIVERY_TIMEOUT, ping_interval=None, close_timeout=2, max_queue=64,
        )
        first = json.loads(await asyncio.wait_for(ws.recv(), DELIVERY_TIMEOUT))
        if first.get("type") != "state":
            await ws.close()
            raise RuntimeError(f"first message was {first.get('type')!r}, not the room's state")
        return ws

    async def join(self, url: str, origin: str, count: int, budget: float) -> dict:
        gate = asyncio.Semaphore(JOIN_CONCURRENCY)
        errors: Counter = Counter()

        async def one() -> None:
            async with gate:
                try:
                    ws = await self._open(url, origin)
                except Exception as error:  # noqa: BLE001 - counted as a viewer who could not join
                    errors[type(error).__name__] += 1
                    return
            index = len(self.sockets)
            self.sockets.append(ws)
            self.open += 1
            self.readers.append(asyncio.create_task(self._read(index, ws)))

        began = time.monotonic()
        tasks = [asyncio.create_task(one()) for _ in range(count)]
        _, late = await asyncio.wait(tasks, timeout=budget)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        if late:
            errors["over_join_budget"] += len(late)
        return {"joined": count - sum(errors.values()), "errors": dict(errors), "seconds": time.monotonic() - began,
                "open": self.open}

    async def quiet(self) -> dict:
        return {"quiet_for": time.monotonic() - self.last_message_at}

    async def _read(self, index: int, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in ws:
                self.last_message_at = time.monotonic()
                if self.expect is not None and index not in self.arrived and self.expect in message:
                    self.arrived[index] = time.monotonic()
                    if len(self.arrived) >= self.open:
                        self.everyone.set()
        except ConnectionClosed:
            pass
        finally:
            self.open -= 1
            if self.expect is not None and len(self.arrived) >= self.open:
                self.everyone.set()

    async def arm(self, product_id: int) -> dict:
        # The room's JSON is compact (broadcast.encode): a pin of product N carries this text.
        self.expect = f'"type":"pin","product":{{"id":{product_id},'
        self.arrived = {}
        self.everyone = asyncio.Event()
        if self.open == 0:
            self.everyone.set()
        return {"armed": self.open}

    async def collect(self, timeout: float) -> dict:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.everyone.wait(), timeout)
        arrived, self.expect = list(self.arrived.values()), None
        return {"arrived": arrived, "missing": max(self.open - len(arrived), 0), "open": self.open}

    async def host_join(self, url: str, origin: str, cookie: str) -> dict:
        self.host = await self._open(url, origin, cookie)
        self.readers.append(asyncio.create_task(self._drain_host()))
        return {"host": True}

    async def _drain_host(self) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            async for message in self.host:
                if '"type":"error"' in message:
                    self.host_errors.append(message)

    async def pin(self, product_id: int) -> dict:
        payload = json.dumps({"action": "pin", "product_id": product_id})
        sent_at = time.monotonic()
        await self.host.send(payload)
        return {"sent_at": sent_at, "host_errors": self.host_errors[-3:]}

    async def close(self) -> dict:
        sockets = [*self.sockets, *([self.host] if self.host else [])]
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        self.sockets, self.readers, self.host, self.open = [], [], None, 0
        return {"closed": len(sockets)}


def _client_main(pipe) -> None:
    _raise_open_files_limit()
    asyncio.run(_Clients(pipe).serve())


class _Client:
    """The benchmark process's handle on one client process."""

    def __init__(self, context):
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_client_main, args=(child,), daemon=True)
        self.process.start()
        self.viewers = 0

    def send(self, command: str, **kwargs) -> None:
        self.pipe.send((command, kwargs))

    def reply(self, timeout: float = 600) -> dict:
        if not self.pipe.poll(timeout):
            raise RuntimeError(f"client process {self.process.pid} did not answer within {timeout:.0f} s")
        answer = self.pipe.recv()
        if "error" in answer:
            raise RuntimeError(f"client process {self.process.pid}: {answer['error']}")
        return answer

    def call(self, command: str, **kwargs) -> dict:
        self.send(command, **kwargs)
        return self.reply()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.send("stop")
            self.reply(timeout=20)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


# --- servers ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _redis_server(workdir: Path):
    port = _free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--maxclients", "10000", "--logfile", str(workdir / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        _wait_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


@contextlib.contextmanager
def _daphne(redis_url: str, workdir: Path, name: str):
    port = _free_port()
    env = os.environ | {
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": "",  # tasks eager, as in the harness: no worker here
        "PYTHONUNBUFFERED": "1",
    }
    log = open(workdir / f"{name}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "daphne"), "-v", "0", "-b", "127.0.0.1", "-p", str(port), ASGI_APP],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait_port(port, process, f"daphne {name}")
        yield port, process
    finally:
        _stop(process)
        log.close()


# --- the measurement -------------------------------------------------------------------------


class _Room:
    """Viewers spread over client processes and servers; the host on the first server."""

    def __init__(self, context, *, session_id: int, ports: list[int], cookie: str, products: list[int]):
        self.clients = [_Client(context) for _ in range(CLIENT_PROCESSES)]
        self.host_client = _Client(context)
        self.session_id, self.ports, self.products = session_id, ports, products
        self.viewers = 0
        self.rounds = 0
        self.host_client.call(
            "host_join", url=self._url(ports[0], host=True), origin=self._origin(ports[0]), cookie=cookie
        )

    def _url(self, port: int, *, host: bool = False) -> str:
        return f"ws://127.0.0.1:{port}/ws/live/{self.session_id}/" + ("host/" if host else "")

    def _origin(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"

    def grow_to(self, total: int) -> dict:
        """Join viewers until `total`, evenly over servers and client processes."""
        plan: Counter = Counter()
        for n in range(self.viewers, total):
            plan[(n % len(self.clients), n % len(self.ports))] += 1
        began = time.monotonic()
        for (client_index, port_index), count in plan.items():
            port = self.ports[port_index]
            self.clients[client_index].send(
                "join", url=self._url(port), origin=self._origin(port), count=count, budget=JOIN_BUDGET_SECONDS
            )
        joined, errors = 0, Counter()
        for (client_index, _), _count in plan.items():
            answer = self.clients[client_index].reply()
            joined += answer["joined"]
            errors.update(answer["errors"])
        self.viewers += joined
        return {"joined": joined, "wanted": total - (self.viewers - joined), "errors": dict(errors),
                "seconds": time.monotonic() - began}

    def wait_quiet(self) -> float:
        """Wait until no viewer has received anything for QUIET_SECONDS; returns the seconds waited."""
        began = time.monotonic()
        while time.monotonic() - began < QUIET_WAIT_MAX:
            quiet_for = min(client.call("quiet")["quiet_for"] for client in self.clients)
            if quiet_for >= QUIET_SECONDS:
                break
            time.sleep(QUIET_SECONDS - quiet_for)
        return time.monotonic() - began

    def pin_round(self) -> dict:
        product_id = self.products[self.rounds % len(self.products)]
        self.rounds += 1
        for client in self.clients:
            client.call("arm", product_id=product_id)
        sent = self.host_client.call("pin", product_id=product_id)
        for client in self.clients:
            client.send("collect", timeout=DELIVERY_TIMEOUT)
        answers = [client.reply() for client in self.clients]
        latencies = [at - sent["sent_at"] for answer in answers for at in answer["arrived"]]
        return {
            "latencies": latencies,
            "missing": sum(a["missing"] for a in answers),
            "open": sum(a["open"] for a in answers),
            "host_errors": sent["host_errors"],
        }

    def close(self) -> None:
        for client in [*self.clients, self.host_client]:
            client.stop()


def _measure(room: _Room, viewers: int, server_pids: list[int]) -> dict:
    grown = room.grow_to(viewers)
    rounds = []
    settled = 0.0
    for _ in range(ROUNDS):
        settled += room.wait_quiet()
        rounds.append(room.pin_round())
    latencies = [x for r in rounds for x in r["latencies"]]
    missing = sum(r["missing"] for r in rounds)
    held = grown["joined"] == grown["wanted"] and missing == 0 and all(r["open"] == room.viewers for r in rounds)
    return {
        "viewers": room.viewers,
        "held": held,
        "join_seconds": round(grown["seconds"], 1),
        "joins_per_s": round(grown["joined"] / grown["seconds"], 1) if grown["seconds"] else None,
        "quiet_wait_s": round(settled, 1),
        "join_errors": grown["errors"],
        "missing": missing,
        "p50_ms": ms(percentile(latencies, 50)) if latencies else None,
        "p99_ms": ms(percentile(latencies, 99)) if latencies else None,
        "max_ms": ms(max(latencies)) if latencies else None,
        "rss_mb": [_rss_mb(pid) for pid in server_pids],
        "host_errors": [e for r in rounds for e in r["host_errors"]],
    }


def _set_up_room() -> tuple[int, str, list[int]]:
    """A live session selling two products, and the host's session cookie."""
    import datetime

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from livestream.models import Host, LiveSession, SessionProduct
    from livestream.sessions import session_go_live
    from shop.models import ProductVariant

    user = get_user_model().objects.create_user("fanout-host", "fanout-host@example.com", "not-used-bench")
    host = Host.objects.create(user=user, display_name="基准主播")
    session = LiveSession.objects.create(
        host=host, title="扇出基准", scheduled_start=timezone.now() + datetime.timedelta(minutes=1)
    )
    products = []
    for slug, title in (("fanout-a", "长街蛭子"), ("fanout-b", "长街蛭子干")):
        sku = make_product(slug=slug, title=title, price_fen=5990, stock=1000)
        product_id = ProductVariant.objects.get(sku=sku).page_id
        SessionProduct.objects.create(session=session, product_id=product_id, sort_order=len(products))
        products.append(product_id)
    session_go_live(stream_key=session.stream_key)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return session.pk, f"{settings.SESSION_COOKIE_NAME}={store.session_key}", products


def _flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushall()


def run() -> Result:
    result = Result(NAME)
    open_files = _raise_open_files_limit()
    session_id, cookie, products = _set_up_room()
    context = multiprocessing.get_context("spawn")
    workdir = Path(tempfile.mkdtemp(prefix="am-bench-fanout-"))
    one: list[dict] = []
    two: list[dict] = []
    try:
        with _redis_server(workdir) as redis_url:
            # --- one ASGI process
            with _daphne(redis_url, workdir, "daphne-a") as (port, server):
                room = _Room(context, session_id=session_id, ports=[port], cookie=cookie, products=products)
                try:
                    for level in LEVELS:
                        step = _measure(room, level, [server.pid])
                        one.append(step)
                        print(f"  one process, {level} viewers: {step}", file=sys.stderr, flush=True)
                        if not step["held"] or server.poll() is not None:
                            break
                finally:
                    room.close()
            _flush_redis(redis_url)
            held = [s["viewers"] for s in one if s["held"]]
            most = max(held) if held else 0
            # --- two ASGI processes sharing the Redis
            with _daphne(redis_url, workdir, "daphne-a") as (port_a, server_a), \
                    _daphne(redis_url, workdir, "daphne-b") as (port_b, server_b):
                room = _Room(context, session_id=session_id, ports=[port_a, port_b], cookie=cookie, products=products)
                try:
                    for level in sorted({1000, most} - {0}):
                        step = _measure(room, level, [server_a.pid, server_b.pid])
                        two.append(step)
                        print(f"  two processes, {level} viewers: {step}", file=sys.stderr, flush=True)
                        if not step["held"]:
                            break
                finally:
                    room.close()
    finally:
        logs = {path.name: path.read_text(errors="replace")[-2000:] for path in workdir.glob("daphne-*.log")}
        shutil.rmtree(workdir, ignore_errors=True)

    def at(steps: list[dict], viewers: int) -> dict:
        return next((s for s in steps if s["viewers"] == viewers), {})

    best = at(one, most)
    one_1000, two_1000, two_most = at(one, 1000), at(two, 1000), at(two, most)
    result.figures = {
        "one_process_max_viewers": most,
        "one_process_1000_p50_ms": one_1000.get("p50_ms"),
        "one_process_1000_p99_ms": one_1000.get("p99_ms"),
        "one_process_max_p50_ms": best.get("p50_ms"),
        "one_process_max_p99_ms": best.get("p99_ms"),
        "one_process_max_last_ms": best.get("max_ms"),
        "one_process_max_rss_mb": (best.get("rss_mb") or [None])[0],
        "one_process_join_s_to_max": round(sum(s["join_seconds"] for s in one if s["viewers"] <= most), 1),
        "two_processes_1000_p50_ms": two_1000.get("p50_ms"),
        "two_processes_1000_p99_ms": two_1000.get("p99_ms"),
        "two_processes_max_viewers": most if two_most.get("held") else 0,
        "two_processes_max_p50_ms": two_most.get("p50_ms"),
        "two_processes_max_p99_ms": two_most.get("p99_ms"),
        "two_processes_max_rss_mb": sum(two_most.get("rss_mb") or [0]),
    }
    result.params = base_params() | {
        "server": f"daphne 1 process (then 2) serving {ASGI_APP}, DEBUG off",
        "channel_layer": "config.channel_layers.RedisChannelLayer on a throwaway redis-server",
        "clients": f"{CLIENT_PROCESSES} processes of asyncio `websockets` viewers (no compression, no pings) "
                   "+ 1 process for the host console",
        "levels": list(LEVELS),
        "rounds_per_level": ROUNDS,
        "latency": "host socket send → each viewer's receipt, same monotonic clock; nearest-rank percentiles "
                   "over every viewer of every round",
        "held": f"every viewer joined within {JOIN_BUDGET_SECONDS:.0f} s of the step starting, and every pin "
                f"reached every viewer within {DELIVERY_TIMEOUT:.0f} s",
        "join_concurrency": f"{JOIN_CONCURRENCY} handshakes in flight per client process",
        "before_each_pin": f"the room quiet (no message to any viewer) for {QUIET_SECONDS} s",
        "open_files_limit": open_files,
        "steps_one_process": one,
        "steps_two_processes": two,
    }
    result.check(bool(one_1000) and one_1000["missing"] == 0, "one process: a pin missed viewers at 1,000")
    result.check(bool(two_1000) and two_1000["missing"] == 0, "two processes: a pin missed viewers at 1,000")
    result.check(most >= MIN_VIEWERS_HELD, f"one process held {most} viewers, fewer than {MIN_VIEWERS_HELD}")
    if result.violations:
        result.violations.extend(f"{name} (tail):\n{text}" for name, text in logs.items())
    return result
