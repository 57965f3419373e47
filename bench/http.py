"""Shared HTTP load code for the benchmarks (bench/load.py and bench/run).

- server_env(): the production-like environment (DEBUG off, PostgreSQL, persistent connections),
  with only HTTPS switched off so that plain HTTP on 127.0.0.1 works;
- Gunicorn: the server under test, started and stopped by its own pid;
- Session: one client's cookies and connection, signed in through the login form (CSRF token);
- run_load(): closed-loop load from threads, each with its own session, for a number of seconds;
- CpuMeter: CPU seconds of the server, its PostgreSQL backends, this client and the whole machine,
  so a report can show that the client did not starve the server and how busy the machine was;
- discover(): the plan, visit, units and users the pages are requested for, read from the database.

Only the standard library on the client side (http.client): no package is added for the load.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = BASE_DIR / ".venv" / "bin"
DEMO_PASSWORD = "cchc-demo-2022"
LOGIN_PATH = "/dang-nhap/"
FLOOR_PATH = "/bench/floor/"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- Server -----------------------------------------------------------------------------------


def server_env(database_url: str, *, conn_max_age: int = 600) -> dict[str, str]:
    """The environment of the server, of manage.py and of discover(): production settings on HTTP."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_ENV_FILE": "",  # the local .env turns DEBUG on: read none
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_CONN_MAX_AGE": str(conn_max_age),
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(BASE_DIR),
        }
    )
    env["BENCH_SECRET_KEY"] = env["DJANGO_SECRET_KEY"]  # the same key for every process of one run
    return env


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run manage.py with the benchmark's environment; raise with its output when it fails."""
    proc = subprocess.run(
        [str(VENV_BIN / "python"), str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout if capture else ""


def collectstatic(env: dict[str, str]) -> None:
    """Static files with their manifest (DEBUG off needs it) into bench/.staticfiles."""
    manage(env, "collectstatic", "--no-input", "-v0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving the project with bench.settings, started and stopped by its own pid."""

    def __init__(self, env, *, workers=2, worker_class="sync", threads=1, port=None, log_path=None):
        self.env = env
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = port or free_port()
        self.log_path = Path(log_path) if log_path else BASE_DIR / "bench" / ".out" / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    @property
    def description(self) -> str:
        threads = f", {self.threads} threads each" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.workers} {self.worker_class} workers{threads}"

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout: float = 90) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        args = [
            str(VENV_BIN / "gunicorn"),
            "cchc_inspection.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            f"--worker-class={self.worker_class}",
            "--timeout=120",
            "--backlog=256",
            "--no-control-socket",
        ]
        if self.worker_class == "gthread":
            args.append(f"--threads={self.threads}")
        self.proc = subprocess.Popen(args, env=self.env, cwd=BASE_DIR, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start (exit {self.proc.returncode}); see {self.log_path}")
            try:
                status, _headers, _body = Session("127.0.0.1", self.port).request("GET", LOGIN_PATH)
            except OSError:
                time.sleep(0.3)
                continue
            if status != 200:
                self.stop()
                raise RuntimeError(f"gunicorn answers {status} on {LOGIN_PATH}; see {self.log_path}")
            if len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return _children(self.proc.pid) if self.proc else []

    def pids(self) -> list[int]:
        return [self.proc.pid, *self.worker_pids()] if self.proc else []

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; its workers follow
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- Client -----------------------------------------------------------------------------------


class LoginFailed(RuntimeError):
    pass


class Session:
    """One client: its cookies and one connection, kept alive when the server allows it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.username = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """Send one request; returns (status, headers, body). A dropped kept-alive socket is retried once."""
        sent_headers = {"Accept-Language": "vi", "Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reused = self.conn.sock is not None
        try:
            self.conn.request(method, path, body=body, headers=sent_headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle kept-alive connection just as we used it: not a server error.
            self.conn.close()
            if not reused:
                raise
            self.conn.request(method, path, body=body, headers=sent_headers)
            response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, response.headers, data

    def login(self, username: str, password: str) -> None:
        """Sign in through the login form, as a browser does: GET for the CSRF token, then POST."""
        status, _headers, body = self.request("GET", LOGIN_PATH)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not match:
            raise LoginFailed(f"{LOGIN_PATH} answered {status} without a CSRF token")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password}
        ).encode()
        status, headers, _body = self.request(
            "POST", LOGIN_PATH, body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or urllib.parse.urlsplit(headers.get("Location", "")).path == LOGIN_PATH:
            raise LoginFailed(f"login of {username!r} answered {status} (wrong password, or locked out?)")
        self.username = username

    def close(self) -> None:
        self.conn.close()


# --- Load -------------------------------------------------------------------------------------


@dataclass
class Page:
    label: str
    path: str


@dataclass
class Stats:
    """Requests of one measure: latencies (seconds) of the good ones, the errors with samples."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000

    def add(self, other: Stats) -> None:
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.errors += other.errors
        self.error_samples += other.error_samples[: max(0, 5 - len(self.error_samples))]
        for key, value in other.cpu.items():
            self.cpu[key] = self.cpu.get(key, 0.0) + value

    def cpu_ms_per_request(self, key: str) -> float:
        return 1000 * self.cpu.get(key, 0.0) / self.requests if self.requests else float("nan")


def _error(status: int, headers, path: str) -> str | None:
    """Why a response counts as an error: not 2xx/3xx, or sent back to the login page."""
    if not 200 <= status < 400:
        return f"{status} on {path}"
    if 300 <= status < 400 and urllib.parse.urlsplit(headers.get("Location", "")).path == LOGIN_PATH:
        return f"{status} to the login page on {path}"
    return None


def run_load(
    sessions: list[Session], pages_of: list[list[Page]], seconds: float, *, meter: CpuMeter | None = None
) -> dict[str, Stats]:
    """Closed loop: thread i sends pages_of[i] in turn with sessions[i] (one request at a time) until
    the time is up. Returns the statistics per page label and under "all"."""
    per_thread: list[dict[str, Stats]] = [{} for _ in sessions]
    barrier = threading.Barrier(len(sessions) + 1)
    deadline = [0.0]

    def worker(i: int) -> None:
        session, pages, stats = sessions[i], pages_of[i], per_thread[i]
        barrier.wait()
        n = i  # threads start at different pages so that every page is under load from the start
        while time.monotonic() < deadline[0]:
            page = pages[n % len(pages)]
            n += 1
            page_stats = stats.setdefault(page.label, Stats())
            start = time.monotonic()
            try:
                status, headers, _body = session.request("GET", page.path)
            except Exception as exc:  # a refused or broken connection is an error of the run
                page_stats.errors += 1
                if len(page_stats.error_samples) < 5:
                    page_stats.error_samples.append(f"{type(exc).__name__}: {exc} on {page.path}")
                session.conn.close()
                continue
            problem = _error(status, headers, page.path)
            if problem:
                page_stats.errors += 1
                if len(page_stats.error_samples) < 5:
                    page_stats.error_samples.append(problem)
            else:
                page_stats.latencies.append(time.monotonic() - start)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    before = meter.snapshot() if meter else None
    started = time.monotonic()
    deadline[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = meter.since(before) if meter else {}

    result: dict[str, Stats] = {"all": Stats(seconds=elapsed, cpu=cpu)}
    for stats in per_thread:
        for label, page_stats in stats.items():
            merged = result.setdefault(label, Stats(seconds=elapsed))
            merged.latencies += page_stats.latencies
            merged.errors += page_stats.errors
            merged.error_samples += page_stats.error_samples[: max(0, 5 - len(merged.error_samples))]
            result["all"].latencies += page_stats.latencies
            result["all"].errors += page_stats.errors
            result["all"].error_samples += page_stats.error_samples[: max(0, 5 - len(result["all"].error_samples))]
    return result


def signed_in_sessions(port: int, usernames: list[str], password: str) -> list[Session]:
    sessions = []
    for username in usernames:
        session = Session("127.0.0.1", port)
        session.login(username, password)
        sessions.append(session)
    return sessions


# --- CPU --------------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLK_TCK if fields else 0.0  # utime + stime


def _postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving this database (their title names it)."""
    pids = []
    marker = f" {database} ".encode()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"postgres: ") and marker in cmdline:
                pids.append(int(entry))
    return pids


def _machine_busy_seconds() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / CLK_TCK


class CpuMeter:
    """CPU seconds spent, between two snapshots, by the server (gunicorn), the database's backends,
    this client process, and the whole machine ("other" is what none of those three spent)."""

    def __init__(self, server: Gunicorn, database: str):
        self.server, self.database = server, database

    def snapshot(self) -> dict:
        return {
            "app": {pid: _cpu_seconds(pid) for pid in self.server.pids()},
            "db": {pid: _cpu_seconds(pid) for pid in _postgres_backends(self.database)},
            "client": time.process_time(),
            "machine": _machine_busy_seconds(),
        }

    def since(self, before: dict) -> dict[str, float]:
        now = self.snapshot()
        spent = {
            key: sum(value - before[key].get(pid, 0.0) for pid, value in now[key].items()) for key in ("app", "db")
        }
        spent["client"] = now["client"] - before["client"]
        spent["machine"] = now["machine"] - before["machine"]
        spent["other"] = max(0.0, spent["machine"] - spent["app"] - spent["db"] - spent["client"])
        return spent


def cpu_summary(stats: Stats) -> str:
    """One line: CPU per request of server, database and client, and the machine's use."""
    cpu, cores = stats.cpu, os.cpu_count() or 1
    if not cpu or not stats.seconds:
        return ""
    share = 100 * cpu["client"] / max(cpu["machine"], 1e-9)
    return (
        f"CPU ms/request: server {stats.cpu_ms_per_request('app'):.1f}, "
        f"PostgreSQL {stats.cpu_ms_per_request('db'):.1f}, client {stats.cpu_ms_per_request('client'):.1f} "
        f"(client {share:.0f}% of the CPU used); machine busy {100 * cpu['machine'] / stats.seconds / cores:.0f}% "
        f"of {cores} cores, {100 * cpu['other'] / stats.seconds / cores:.0f}% by other processes"
    )


# --- What to request --------------------------------------------------------------------------


@dataclass
class Targets:
    plan_pk: int
    plan_year: int
    visit_pk: int  # the unit user's visit in the plan
    lead_visit_pk: int  # a visit the inspector goes on (may be the same)
    unit_pk: int
    users: dict[str, str]  # role -> username: coordinator, leadership, unit_staff, inspector
    units: int = 0
    visits: int = 0
    actions: int = 0

    def describe(self) -> str:
        return (
            f"plan {self.plan_year} (pk {self.plan_pk}): {self.units} active units in the registry, "
            f"{self.visits} visits, {self.actions} remediation actions; users "
            + ", ".join(f"{role} {name}" for role, name in self.users.items())
        )


def discover(prefer_prefix: str = "") -> Targets:
    """Read the plan, the visits and one user per role from the database (needs django.setup()).

    The plan is the one the dashboard opens (the newest active, else the newest). Users whose
    username starts with prefer_prefix come first (the generator's "gen-" users)."""
    from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When

    from inspections.models import Inspection, InspectionPlan, RemediationAction, TeamMember
    from units.models import Unit, User

    plans = InspectionPlan.objects.order_by("-year", "-pk")
    plan = plans.filter(status=InspectionPlan.Status.ACTIVE).first() or plans.first()
    if plan is None:
        raise RuntimeError("No inspection plan in the database: generate or load the data first.")

    def users(role: str):
        qs = User.objects.filter(groups__name=role, is_active=True).exclude(password__startswith="!")
        first = Case(When(username__startswith=prefer_prefix or "\0", then=Value(0)), default=Value(1))
        return qs.alias(first=first).order_by("first", "pk")

    missing = []

    def first_user(role: str):
        user = users(role).first()
        if user is None:
            missing.append(role)
        return user

    coordinator = first_user("coordinator")
    leader = first_user("leadership")
    visits = plan.inspections.exclude(status=Inspection.Status.CANCELLED)
    # A unit user whose unit is visited in the plan, one with remediation actions first.
    with_actions = RemediationAction.objects.filter(unit=OuterRef("unit")).values("pk")[:1]
    unit_user = (
        users("unit_staff")
        .filter(unit__in=visits.values("unit"))
        .alias(has_actions=Exists(with_actions))
        .order_by("first", "-has_actions", "pk")
        .first()
    )
    if unit_user is None:
        missing.append("unit_staff with a visit in the plan")
    lead = (
        TeamMember.objects.filter(team__plan=plan, user__is_active=True, user__isnull=False)
        .annotate(
            rank=Case(When(role=TeamMember.Role.LEAD, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .select_related("user")
        .order_by("rank", "pk")
        .first()
    )
    if lead is None:
        missing.append("inspector on the plan's team")
    if missing:
        raise RuntimeError("Missing in the database: " + ", ".join(missing))
    visit = visits.filter(unit=unit_user.unit).order_by("pk").first()
    lead_visit = visits.filter(members=lead).order_by("pk").first() or visit
    return Targets(
        plan_pk=plan.pk,
        plan_year=plan.year,
        visit_pk=visit.pk,
        lead_visit_pk=lead_visit.pk,
        unit_pk=unit_user.unit_id,
        users={
            "coordinator": coordinator.username,
            "leadership": leader.username,
            "unit_staff": unit_user.username,
            "inspector": lead.user.username,
        },
        units=Unit.objects.filter(is_active=True).count(),
        visits=plan.inspections.count(),
        actions=RemediationAction.objects.filter(conclusion__inspection__plan=plan).count(),
    )


def default_password(targets: Targets) -> str:
    """The generator's one password for its "gen-" users, else the demo accounts' (needs django.setup())."""
    if targets.users["coordinator"].startswith("gen-"):
        from inspections.datagen import PASSWORD

        return PASSWORD
    return DEMO_PASSWORD


def setup_django(env: dict[str, str]) -> None:
    """Django in this (client) process, with the server's settings, for discover()."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("DJANGO_", "DATABASE_URL", "BENCH_"))})
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def close_django_connections() -> None:
    from django.db import connections

    connections.close_all()


def main_pages(targets: Targets) -> dict[str, Page]:
    """The main pages by label (needs django.setup(): the paths come from the URL names)."""
    from django.urls import reverse

    t = targets
    named = {
        "home": ("home", []),
        "unit list": ("units:list", []),
        "unit detail": ("units:detail", [t.unit_pk]),
        "plan": ("inspections:plan_detail", [t.plan_pk]),
        "schedule": ("inspections:schedule", [t.plan_pk]),
        "dashboard": ("reports:dashboard", [t.plan_pk]),
        "plan overview": ("inspections:plan_overview", [t.plan_pk]),
        "remediation list": ("inspections:remediation_list", []),
        "remediation per unit": ("inspections:remediation_plan", [t.plan_pk]),
        "visit": ("inspections:inspection_detail", [t.visit_pk]),
        "visit findings": ("inspections:visit_findings", [t.lead_visit_pk]),
        "unit portal": ("inspections:inspection_reports", [t.visit_pk]),
        "my calendar": ("inspections:my_calendar", []),
        "floor": ("bench_floor", []),
        "layout": ("bench_layout", []),
    }
    return {label: Page(label, reverse(name, args=args)) for label, (name, args) in named.items()}


def check_pages(sessions: list[Session], pages_of: list[list[Page]]) -> list[str]:
    """Request every page once with each session (this also warms the workers up); the problems."""
    problems = []
    for session, pages in zip(sessions, pages_of, strict=True):
        for page in pages:
            try:
                status, headers, _body = session.request("GET", page.path)
            except OSError as exc:
                problems.append(f"{session.username}: {type(exc).__name__}: {exc} on {page.path}")
                continue
            problem = _error(status, headers, page.path)
            if problem:
                problems.append(f"{session.username} ({page.label}): {problem}")
    return problems


def database_name(database_url: str) -> str:
    return urllib.parse.urlsplit(database_url).path.lstrip("/")
