"""A throwaway PostgreSQL 15 cluster for the benchmarks.

initdb into a fresh temp dir (as the `postgres` user when run as root: initdb refuses root),
start it on its own port and socket dir, create one database, yield its DATABASE_URL, and always
stop the server and remove the directory afterwards, also on error or Ctrl-C. The machine's own
server on 5432 is never touched.

Durability is switched off (fsync, synchronous_commit, full_page_writes): nothing here needs to
survive a crash, and it keeps the disk out of the figures. SETTINGS says so in each result.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_NAME = "bench"
SETTINGS = {
    "max_connections": "300",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a PostgreSQL binary as the postgres user when we are root, else as ourselves."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    # A new session: Ctrl-C in the terminal reaches only us, and we stop the server in order.
    return subprocess.run(args, check=True, capture_output=True, text=True, start_new_session=True, **kwargs)


def _free_port() -> int:
    for _ in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != 5432:
            return port
    raise RuntimeError("no free TCP port for the throwaway PostgreSQL cluster")


def server_version() -> str:
    out = subprocess.run([str(PG_BIN / "postgres"), "--version"], capture_output=True, text=True)
    return out.stdout.strip()


@contextlib.contextmanager
def throwaway_cluster(*, db_name: str = DB_NAME) -> Iterator[str]:
    """Yield the DATABASE_URL of a fresh database in a fresh cluster; stop and delete it after."""
    root = Path(tempfile.mkdtemp(prefix="am-bench-pg-"))
    data, sockdir, log = root / "data", root / "sock", root / "server.log"
    sockdir.mkdir()
    if os.geteuid() == 0:
        import pwd

        pw = pwd.getpwnam("postgres")
        for path in (root, sockdir):
            os.chown(path, pw.pw_uid, pw.pw_gid)
    started = False
    try:
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        port = _free_port()
        options = f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 " + " ".join(
            f"-c {key}={value}" for key, value in SETTINGS.items()
        )
        try:
            started = True  # from here on a half-started server must be stopped too
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                          "-o", options, "start"])
        except subprocess.CalledProcessError as error:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {error.stderr}\n{tail}") from error
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        yield f"postgres://postgres@127.0.0.1:{port}/{db_name}"
    finally:
        if started:
            for mode in ("fast", "immediate"):
                try:
                    _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "-t", "30", "stop"])
                    break
                except subprocess.CalledProcessError as error:
                    if "is the server running" in (error.stderr or ""):
                        break
                    time.sleep(0.5)
        shutil.rmtree(root, ignore_errors=True)
