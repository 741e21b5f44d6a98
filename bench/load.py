"""HTTP throughput under gunicorn (2 workers, gthread) with the load generator in a second process
on loopback: our survey page against a bare Flask hello-world, then a worker's peak RSS after 1,000
mixed requests. wrk when installed, else bench.loadgen (threads + http.client, bounded).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assessment.services.demo import DEMO_BUREAU_EMAIL, DEMO_ENTERPRISE_EMAIL, DEMO_PASSWORD

from .common import OUT, ROOT
from .loadgen import login

GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKER_ARGS = ["-w", "2", "-k", "gthread", "--threads", "4"]
CONNECTIONS, THREADS = 8, 2


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def gunicorn(target: str, env: dict[str, str], ready_path: str = "/") -> Iterator[tuple]:
    """Run `gunicorn <target>` on a free loopback port in its own process group; yields
    (port, master pid) once `ready_path` answers 200, and always stops the whole group."""
    port = free_port()
    log = open(OUT / f"gunicorn-{target.split(':')[0]}.log", "w")  # noqa: SIM115
    # cwd is bench/out (no gunicorn.conf.py there): only the settings given here apply.
    command = [str(GUNICORN), *WORKER_ARGS, "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), target]
    proc = subprocess.Popen(command, cwd=OUT, env={**os.environ, **env}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not _answers(port, ready_path):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {target} did not start; see {log.name}")
            time.sleep(0.2)
        yield port, proc.pid
    finally:
        stop_group(proc)
        log.close()


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def workers(master: int) -> list[int]:
    """Pids of the gunicorn master's child processes (its workers)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            found.append(int(status.parent.name))
    return found


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a process in MB."""
    try:
        match = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return None
    return int(match.group(1)) / 1024 if match else None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def generator() -> str:
    """Which load generator this run uses: 'wrk' or 'python' (BENCH_LOADGEN=python forces it)."""
    if os.environ.get("BENCH_LOADGEN") == "python" or shutil.which("wrk") is None:
        return "python"
    return "wrk"


def _python_load(port: int, plan: list[dict], seconds: float, max_requests: int,
                 connections: int) -> dict:  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(plan, fh)
    try:
        command = [sys.executable, "-m", "bench.loadgen", "--port", str(port), "--plan", fh.name,
                   "--connections", str(connections), "--duration", str(seconds),
                   "--max-requests", str(max_requests)]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              timeout=seconds + 180, check=True)  # fmt: skip
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        os.unlink(fh.name)


def _wrk(port: int, path: str, cookie: str | None, seconds: float) -> dict:
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{int(seconds)}s",
               "--timeout", "10s", f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                          check=True)  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
    requests = int(re.search(r"(\d+) requests in", done.stdout).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       done.stdout)  # fmt: skip
    total = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return {"rps": rps, "requests": requests, "errors": total}


def throughput(port: int, path: str, cookie: str | None, seconds: float,
               master: int | None = None) -> dict:  # fmt: skip
    """Requests/s for one URL for `seconds` with the chosen generator; with the gunicorn
    `master` pid also the workers' CPU milliseconds per request ('cpu_ms')."""
    pids = workers(master) if master else []
    before = cpu_seconds(pids)
    if generator() == "wrk":
        result = _wrk(port, path, cookie, seconds)
    else:
        plan = [{"path": path, "cookie": cookie}]
        result = _python_load(port, plan, seconds, 1_000_000, CONNECTIONS)
    if pids and result["requests"]:
        result["cpu_ms"] = (cpu_seconds(pids) - before) * 1000 / result["requests"]
    return result


def app_env(database_url: str) -> dict[str, str]:
    """Environment for `gunicorn app:app` on a benchmark database."""
    return {"DATABASE_URL": database_url, "DEMO_MODE": "1", "SECRET_KEY": "bench-load",
            "INSTANCE_PATH": str(OUT / "instance"), "PYTHONPATH": str(ROOT)}  # fmt: skip


def measure(database_url: str, survey_path: str, result_path: str, rounds: int = 3,
            seconds: float = 6.0, mixed: int = 1000) -> dict:  # fmt: skip
    """Survey page and hello-world requests/s (alternating rounds), then peak worker RSS after
    `mixed` mixed requests. Returns {'ours': [rps], 'hello': [rps], 'errors', 'rss_mb', ...}."""
    out: dict = {"generator": generator(), "errors": 0}
    for key in ("ours", "hello", "floor"):
        out[key], out[f"{key}_cpu_ms"] = [], []
    floor_path = "/bench/floor/" + survey_path.split("/")[2]  # /a/<public id>/page/<n>
    with (
        gunicorn("app:app", app_env(database_url), "/healthz") as (port, master),
        gunicorn("bench.hello:app", {"PYTHONPATH": str(ROOT)}) as (hello_port, hello_master),
        gunicorn("bench.floor:app", app_env(database_url), "/healthz") as (
            floor_port,
            floor_master,
        ),
    ):
        enterprise = login(port, DEMO_ENTERPRISE_EMAIL, DEMO_PASSWORD)
        bureau = login(port, DEMO_BUREAU_EMAIL, DEMO_PASSWORD)
        # The same secret key and database: the session cookie signs in on the floor app too.
        targets = {"ours": (port, survey_path, enterprise, master),
                   "hello": (hello_port, "/", None, hello_master),
                   "floor": (floor_port, floor_path, enterprise, floor_master)}  # fmt: skip
        for target_port, path, cookie, _master in targets.values():
            throughput(target_port, path, cookie, 2)  # warm the workers
        for _ in range(rounds):
            for key, (target_port, path, cookie, target_master) in targets.items():
                measured = throughput(target_port, path, cookie, seconds, target_master)
                out[key].append(measured["rps"])
                out[f"{key}_cpu_ms"].append(measured.get("cpu_ms"))
                out["errors"] += measured["errors"]
        plan = mixed_plan(survey_path, result_path, enterprise, bureau)
        summary = _python_load(port, plan, 240, mixed, 4)
        out["mixed"] = summary
        pids = workers(master)
        out["rss_mb"] = {pid: peak_rss_mb(pid) for pid in pids}
    return out


def mixed_plan(survey: str, result: str, enterprise: str, bureau: str) -> list[dict]:
    """One cycle of 40 requests: what enterprises and the bureau do, in realistic proportions.
    One PDF per cycle keeps the report route under its rate limit (30 per minute per worker)."""
    cycle = (
        [(survey, enterprise)] * 12
        + [(result, enterprise)] * 8
        + [(result.replace("/result", "/report.pdf"), enterprise)]
        + [("/my", enterprise)] * 5
        + [("/bureau/", bureau)] * 5
        + [("/bureau/enterprises", bureau)] * 4
        + [("/bureau/enterprises?sort=name&dir=asc&page=3", bureau)] * 2
        + [("/healthz", None)] * 3
    )
    return [{"path": path, "cookie": cookie} for path, cookie in cycle]
