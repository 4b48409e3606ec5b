"""Pages under load against a bare Django "hello" view, in one run (T-LOAD-02).

Usage:
    .venv/bin/python bench/pages.py --intakes 10000     # 2 rounds, 10 s per page
    .venv/bin/python bench/pages.py --check             # exit 1 when over a goal
    .venv/bin/python bench/pages.py --smoke             # CI: tiny data, 2 s per page
    .venv/bin/python bench/pages.py --reuse --against HEAD~3   # a change, one run

One run: a fresh PostgreSQL database (intake_bench_pages on 127.0.0.1), migrated and
seeded (setup_demo's clinic and users, then generate_intakes), collectstatic for
whitenoise's manifest, then three gunicorn servers on loopback with the same settings
(2 sync workers): the app under production settings (DEBUG off, SECRET_KEY and
ALLOWED_HOSTS set, TRUST_X_FORWARDED_PROTO=true); bench/bare/, one view returning
"hello"; and bench/bare/ with Django's database sessions and authentication on the
same database (session_settings.py), the same view for a logged-in user.

Sessions come from `manage.py bench_session --i-am-a-benchmark` (devtools, installed
for that command only; OTP-verified, audited as auth.bench_session); wrk plays the TLS
proxy (X-Forwarded-Proto: https) and sends the session cookie, and for POSTs the CSRF
cookie and token and an Origin header. Each page is driven for --seconds by
`wrk -t THREADS -c CONNECTIONS` with a Lua script, in --rounds rounds over all pages
(the lower p50 of a page's rounds counts). Printed per page with the load average:
requests/s, p50, p99, errors (any status but the page's expected one, and socket
errors), p50 / the bare view's p50 and p50 / the logged-in bare view's p50; the same
figures go to bench-pages.json in the working directory (--json; git-ignored).
Goals (issue #19): home (intake staff's `/`) <= 1.3x the logged-in bare view, every
other page <= 5x; --check exits 1 when a page is over its goal. The smoke run (CI) is
one round of 2 s per page and fails only on errors, never on a ratio.

The section POST goes to a different intake each time (each at its section's current
version, so every save succeeds; a 409 would be an error) and stops, its requests per
second then not printed, when the intakes would come round again before its time is up
(a fast machine); the import POSTs a small
valid intake/1 document with a new MRN each time.

With --against REV the app is also served as it was at REV (`git archive`, the same
virtualenv and database) and each page is driven on the two in turn, which one first
alternating by round; a second table gives each page's p50 now and at REV. Runs on
this shared machine moved every ratio by a fifth from one to the next: a change
measured within one run is the comparison that holds. Exit status: 0 when every page
answered as expected, 1 on errors (or, with --check, a page over its goal), 2 when wrk
is missing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from bench import benchdb

HOST = "127.0.0.1"  # loopback only
# Free loopback ports, chosen at start (two runs on one machine never collide).
APP_PORT = BARE_PORT = SESSION_PORT = AGAINST_PORT = 0
# The only backend of bench/bare/session_settings.py (the app has its own, #19).
BARE_BACKEND = "django.contrib.auth.backends.ModelBackend"
DATABASE = "intake_bench_pages"
PAGE_GOAL = 5.0  # p50 / the logged-in bare view's p50 (issue #19)
HOME_GOAL = 1.3
LUA_DIR = Path(__file__).resolve().parent / "lua"


@dataclass
class Page:
    name: str
    method: str
    paths: list[str]  # one, or one per request (cycled) for POSTs to distinct intakes
    role: str  # "clinician", "intake" or "" (not logged in)
    expect: int
    body: str = ""
    content_type: str = ""
    # "app", "bare" or "bare_session" (the two baselines), or "against" (--against)
    server: str = "app"


@dataclass
class Result:
    page: Page
    requests_per_second: float | None  # None: stopped before its time was up
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    rounds_p50_ms: list[float] = dataclasses.field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10, help="per page")
    parser.add_argument(
        "--warmup",
        type=int,
        default=3,
        help="seconds per page before measuring (a worker's first request loads "
        "the views, templates and ruleset: over a second)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="CONN_MAX_AGE of the app (0: a new database connection per request)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds over the pages")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when a page is over its goal (5x logged-in bare; home 1.3x)",
    )
    parser.add_argument(
        "--json",
        default="bench-pages.json",
        help="where to write the figures (default: bench-pages.json here)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny data, one round, 2 s per page"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also serve the app as it was at this git revision, on the same database"
        " and beside the current one, and drive each page on both in turn: the"
        " change per page in one run (its migrations must be the current ones)",
    )
    options = parser.parse_args()
    if options.smoke:
        # Errors only: a few requests per page, one at a time per worker, one round.
        options.intakes = min(options.intakes, 300)
        options.seconds, options.warmup, options.rounds = 2, 2, 1
        options.threads, options.connections = 1, 2
    if shutil.which("wrk") is None:
        print("wrk is not installed: sudo apt-get install wrk (Debian package wrk)")
        return 2
    started = time.perf_counter()
    with benchdb.seeded_database(
        DATABASE, options.intakes, smoke=options.smoke, reuse=options.reuse
    ) as url:
        results = run(url, options)
    over = report(results, options)
    print(f"whole run: {time.perf_counter() - started:.0f} s")
    if any(r.errors or not r.requests for r in results):
        return 1
    return 1 if options.check and over else 0


def in_round(page: Page, number: int, rounds: int) -> Page:
    if len(page.paths) < 2:
        return page
    return dataclasses.replace(page, paths=page.paths[number::rounds])


def combined(results: list[Result]) -> Result:
    """A page's rounds as one row: the lower p50 and p99 (on a shared machine other
    work only ever adds time), requests and errors summed."""
    best = min(results, key=lambda r: r.p50_ms if r.requests else float("inf"))
    return Result(
        best.page,
        requests_per_second=best.requests_per_second,
        p50_ms=best.p50_ms,
        p99_ms=min(r.p99_ms for r in results),
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
        rounds_p50_ms=[r.p50_ms for r in results],
    )


def run(url: str, options: argparse.Namespace) -> list[Result]:
    global APP_PORT, BARE_PORT, SESSION_PORT, AGAINST_PORT
    APP_PORT, BARE_PORT, SESSION_PORT = free_port(), free_port(), free_port()
    AGAINST_PORT = free_port()
    env = benchdb.production_env(url, CONN_MAX_AGE=str(options.conn_max_age))
    benchdb.manage("collectstatic", "--noinput", "-v0", env=env)
    sessions = benchdb.sessions(
        ("clinician", "intake", "auditor", "ruleadmin"), options.connections, env=env
    )
    # The bare baseline knows only Django's ModelBackend: its sessions name that one.
    sessions["bare"] = benchdb.sessions(
        ("auditor",), options.connections, env=env, backend=BARE_BACKEND
    )["auditor"]
    servers, scratch_trees = [], []
    try:
        servers.append(gunicorn("config.wsgi:application", APP_PORT, env, options))
        bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}
        servers.append(
            gunicorn("bench.bare.wsgi:application", BARE_PORT, bare_env, options)
        )
        session_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.session_settings"}
        servers.append(
            gunicorn("bench.bare.wsgi:application", SESSION_PORT, session_env, options)
        )
        if options.against:
            tree = checkout(options.against, env)
            scratch_trees.append(tree)
            servers.append(
                gunicorn("config.wsgi:application", AGAINST_PORT, env, options, tree)
            )
            wait_until_up(AGAINST_PORT, "/healthz")
        wait_until_up(APP_PORT, "/healthz")
        wait_until_up(BARE_PORT, "/")
        wait_until_up(SESSION_PORT, "/", accept=(403,))
        pages = plan_pages(env, sessions["intake"][0])
        if options.against:
            pages = with_twins(pages, options.against)
        print(
            f"app on {HOST}:{APP_PORT}, bare on {HOST}:{BARE_PORT}, bare logged in"
            f" on {HOST}:{SESSION_PORT}; "
            f"driving {len(pages)} pages, {options.seconds} s each: "
            f"wrk -t{options.threads}"
            f" -c{options.connections}; gunicorn {options.workers} sync workers; "
            f"CONN_MAX_AGE={options.conn_max_age}"
        )
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as scratch:
            # Round after round over every page, so a change in the machine's load
            # reaches every page alike; POSTs to sections take other intakes each
            # round (a second save at the same version would be a 409).
            # With --against a page and its twin run one after the other, the twin
            # first in every other round.
            rounds = []
            for number in range(options.rounds):
                order = in_turn(pages, first_twin=number % 2 == 1)
                driven = {
                    index: drive(
                        in_round(pages[index], number, options.rounds),
                        sessions,
                        options,
                        Path(scratch),
                    )
                    for index in order
                }
                rounds.append([driven[index] for index in range(len(pages))])
            return [combined(list(results)) for results in zip(*rounds, strict=True)]
    finally:
        for server in servers:
            stop(server)
        for tree in scratch_trees:
            shutil.rmtree(tree, ignore_errors=True)


def checkout(rev: str, env: dict[str, str]) -> Path:
    """The project's files at `rev` in a scratch directory, static files collected."""
    tree = Path(tempfile.mkdtemp(prefix="bench-pages-against-"))
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev],
        cwd=benchdb.ROOT,
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=tree,
        env=env,
        check=True,
    )
    return tree


def with_twins(pages: list[Page], rev: str) -> list[Page]:
    """Each app page followed by its twin on the app at `rev`; a POST to distinct
    intakes gives every other intake to the twin (a path is posted to once)."""
    twinned = []
    for page in pages:
        if page.server != "app":
            twinned.append(page)
            continue
        paths = page.paths
        if len(paths) > 1:
            page = dataclasses.replace(page, paths=paths[0::2])
        twinned.append(page)
        twinned.append(
            dataclasses.replace(
                page,
                name=f"{page.name} @{rev}",
                paths=paths[1::2] if len(paths) > 1 else paths,
                server="against",
            )
        )
    return twinned


def in_turn(pages: list[Page], *, first_twin: bool) -> list[int]:
    """The order to drive the pages in: as listed, or each twin before its page."""
    order = list(range(len(pages)))
    if first_twin:
        for index, page in enumerate(pages):
            if page.server == "against":
                order[index - 1], order[index] = index, index - 1
    return order


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def gunicorn(
    app: str,
    port: int,
    env: dict[str, str],
    options: argparse.Namespace,
    tree: Path = benchdb.ROOT,
) -> subprocess.Popen[bytes]:
    """The same gunicorn settings for the app and the bare baseline."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "config/gunicorn.conf.py",  # the forwarded headers gunicorn believes
            app,
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(options.workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "--no-control-socket",  # gunicorn's default path is one per machine
        ],
        cwd=tree,
        env=env,
        start_new_session=True,  # its own process group: stopped as a whole
    )


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_up(
    port: int, path: str, *, timeout: float = 60, accept: tuple[int, ...] = ()
) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}", headers={"X-Forwarded-Proto": "https"}
    )
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - loopback
                return
        except urllib.error.HTTPError as error:
            if error.code in accept:
                return
            time.sleep(0.2)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            # A first answer slower than 5 s (a loaded machine) is asked again.
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start")


def editable_intakes(clinic: Any) -> Any:
    """The open intakes whose vitals were saved once, with a diastolic pressure, in pk
    order: the section pages and the patient page are theirs (after django.setup()).

    Not those with a PHQ-9 item 9 answer of 1 or more: the seed screens without the
    urgent pathway, so a save re-screening one would raise its marker and every later
    run's worklist would carry more urgent rows than the run before.
    """
    from screening.models import Intake

    return (
        Intake.objects.filter(
            clinic=clinic,
            status__in=["in_progress", "ready_for_review"],
            sections__kind="vitals",
            sections__version=1,
            sections__data__bp_diastolic__isnull=False,
        )
        .exclude(current_screening__result__derived__phq9_item9__gte=1)
        .order_by("pk")
    )


def plan_pages(env: dict[str, str], intake_session: dict[str, str]) -> list[Page]:
    """The pages and what they need from the seeded database (read in this process)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db.models import F

    from screening.forms.intakes import SECTION_FORMS
    from screening.models import Clinic, Intake

    clinic = Clinic.objects.get(slug=benchdb.CLINIC)
    flagged = (
        Intake.objects.filter(clinic=clinic, status="ready_for_review")
        .exclude(current_screening__outcome="no_flags")
        .order_by(
            -(
                F("current_screening__relative_count")
                + F("current_screening__caution_count")
            )
        )
        .values_list("pk", flat=True)
        .first()
    )
    editable = list(editable_intakes(clinic).values_list("pk", flat=True))
    if flagged is None or len(editable) < 2:
        raise SystemExit("the seeded database has no flagged or editable intake")
    # The section page of the last editable intake gives the body every POST sends
    # (its values, at version 1); POSTs go to the others, one each.
    vitals = "/intakes/{}/sections/vitals/"
    body = form_body(vitals.format(editable[-1]), intake_session)
    boundary = "benchboundary7MA4YWxkTrZu0gW"
    patient = Intake.objects.filter(pk=editable[0]).values_list("patient_id", flat=True)
    return [
        Page("bare hello (baseline)", "GET", ["/"], "", 200, server="bare"),
        Page(
            "bare hello, logged in",
            "GET",
            ["/"],
            "bare",
            200,
            server="bare_session",
        ),
        Page("home", "GET", ["/"], "intake", 200),
        Page("worklist", "GET", ["/reviews/"], "clinician", 200),
        Page("summary", "GET", [f"/intakes/{flagged}/review/"], "clinician", 200),
        *(
            Page(
                f"section GET {slug}",
                "GET",
                [f"/intakes/{editable[0]}/sections/{slug}/"],
                "intake",
                200,
            )
            for slug in SECTION_FORMS
        ),
        Page(
            "section POST vitals",
            "POST",
            [vitals.format(pk) for pk in editable[:-1]],
            "intake",
            302,
            body=body,
            content_type="application/x-www-form-urlencoded",
        ),
        Page(
            "import",
            "POST",
            ["/intakes/import/"],
            "intake",
            302,
            body=import_body(clinic.pk, boundary),
            content_type=f"multipart/form-data; boundary={boundary}",
        ),
        Page("rules", "GET", ["/rules/"], "ruleadmin", 200),
        Page("audit", "GET", ["/audit/"], "auditor", 200),
        Page("patients", "GET", ["/patients/"], "intake", 200),
        Page("patient", "GET", [f"/patients/{patient.get()}/"], "intake", 200),
    ]


class _FormFields(HTMLParser):
    """What a browser submits for each <form> of a page (unchanged), form by form."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._fields = []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif not a.get("name"):
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "file"):
            checkable = a.get("type") in ("checkbox", "radio")
            if not checkable or "checked" in a:
                self._fields.append(
                    (a["name"], a.get("value", "on" if checkable else ""))
                )
        elif tag == "textarea":
            self._fields.append((a["name"], ""))
        elif tag == "select":
            self._select, self._options = a["name"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self._fields.append((self._select, chosen[0] if chosen else ""))
            self._select = None
        elif tag == "form":
            self.forms.append(self._fields)


def form_body(path: str, session: dict[str, str]) -> str:
    """The urlencoded body of the page's form, as a browser posts it unchanged."""
    from urllib.parse import urlencode

    request = urllib.request.Request(
        f"http://{HOST}:{APP_PORT}{path}",
        headers={"X-Forwarded-Proto": "https", "Cookie": session["cookie_header"]},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        parser = _FormFields()
        parser.feed(response.read().decode())
    for fields in parser.forms:
        if any(name == "version" for name, _ in fields):
            # The CSRF token goes in the X-CSRFToken header, with the cookie.
            return urlencode([(k, v) for k, v in fields if k != "csrfmiddlewaretoken"])
    raise SystemExit(f"no section form on {path}")


def import_body(clinic_id: int, boundary: str) -> str:
    """A multipart upload of one small valid document; MRN_PLACEHOLDER is replaced by
    a new MRN on every request (the Lua script)."""
    from devtools.generated_documents import (
        GENERATED_UNTIL,
        generated_document,
    )

    document, _ = generated_document(99, 1, until=GENERATED_UNTIL)
    document["patient"] = {"mrn": "MRN_PLACEHOLDER"}
    from screening.json_numbers import AnswerEncoder

    text = json.dumps(document, cls=AnswerEncoder)
    return (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="clinic"\r\n\r\n'
        f"{clinic_id}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename="intake.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{text}\r\n"
        f"--{boundary}--\r\n"
    )


def drive(
    page: Page,
    sessions: dict[str, list[dict[str, str]]],
    options: argparse.Namespace,
    scratch: Path,
) -> Result:
    """Warm the page up, then measure it. A POST page warms up with GETs of its form:
    a POST repeated to the same intake would be a stale save (409), and the warm-up
    only has to load the view, its templates and the ruleset in every worker."""
    warmup = page
    if page.method == "POST" and page.expect == 302 and "/sections/" in page.paths[0]:
        warmup = Page(page.name, "GET", page.paths, page.role, 200, server=page.server)
    split = len(page.paths) * 3 // 4 if len(page.paths) > 1 else len(page.paths)
    wrk(
        warmup,
        page.paths[split:] or page.paths,
        sessions,
        options.warmup,
        options,
        scratch,
    )
    run = wrk(page, page.paths[:split], sessions, options.seconds, options, scratch)
    line = next(
        (x for x in run.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None
    )
    if line is None:
        print(f"wrk failed on {page.name}:\n{run.stdout}{run.stderr}")
        return Result(page, 0, 0, 0, 0, 1)
    figures = json.loads(line.removeprefix("BENCH_RESULT "))
    return Result(
        page,
        requests_per_second=None
        if figures["stopped"]
        else figures["requests"] / max(figures["seconds"], 1e-9),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        requests=figures["requests"],
        errors=figures["errors"],
    )


def wrk(
    page: Page,
    paths: list[str],
    sessions: dict[str, list[dict[str, str]]],
    seconds: int,
    options: argparse.Namespace,
    scratch: Path,
) -> subprocess.CompletedProcess[str]:
    port = {
        "app": APP_PORT,
        "bare": BARE_PORT,
        "bare_session": SESSION_PORT,
        "against": AGAINST_PORT,
    }[page.server]
    chosen = sessions.get(page.role, [])
    config = {
        "method": page.method,
        "paths": paths,
        "cookies": [s["cookie_header"] for s in chosen],
        "csrf": [s["csrf_token"] for s in chosen],
        "origin": f"https://{HOST}:{port}",
        "body": page.body,
        "content_type": page.content_type,
        "expect": page.expect,
        "threads": options.threads,
        # Connections per thread: what one thread may have in flight.
        "connections": -(-options.connections // options.threads),
        "once": page.method == "POST" and len(paths) > 1,
    }
    config_file = scratch / "page-config.lua"
    config_file.write_text(f"return {to_lua(config)}\n")
    command = [
        "wrk",
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA_DIR / "page.lua"),
        f"http://{HOST}:{port}",
        "--",
        str(config_file),
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 120, check=False
    )


def to_lua(value: object) -> str:
    """A Lua literal of a JSON-like value (wrk's LuaJIT has no JSON reader)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # Byte escapes keep any character (quotes, CR LF of a multipart body) intact.
        return (
            '"'
            + "".join(
                chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\{b:03d}"
                for b in value.encode()
            )
            + '"'
        )
    if isinstance(value, list):
        return "{" + ", ".join(to_lua(item) for item in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {to_lua(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def goal_of(page: Page) -> float | None:
    """A page's goal, p50 / the logged-in bare view's p50 (issue #19)."""
    if page.server != "app":
        return None
    return HOME_GOAL if page.name == "home" else PAGE_GOAL


def report(results: list[Result], options: argparse.Namespace) -> list[str]:
    """Print the table and write the JSON file; the pages over their goal."""
    bare = results[0].p50_ms or float("nan")
    logged_in = results[1].p50_ms or float("nan")
    cpu = os.cpu_count()
    load = [round(x, 2) for x in os.getloadavg()]
    print(
        f"\nmachine: {cpu} CPUs, load average {', '.join(map(str, load))} (shared:"
        f" figures move with it), {os.uname().sysname} {os.uname().release};"
        f" {options.intakes} intakes; wrk -t{options.threads} -c{options.connections}"
        f" -d{options.seconds}s per page; {options.rounds} round(s), the lower p50"
    )
    width = max(34, *(len(r.page.name) for r in results))
    header = (
        f"{'page':{width}} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'p50/bare':>9} {'p50/logged-in bare':>19} {'goal':>6}"
    )
    print(header)
    print("-" * len(header))
    rows, over = [], []
    for r in results:
        ratio = r.p50_ms / logged_in
        rate = r.requests_per_second
        shown_rate = "-" if rate is None else f"{rate:.1f}"
        goal = goal_of(r.page)
        error_share = f"{r.errors / r.requests:.1%}" if r.requests else "-"
        mark = ""
        if goal is not None and not ratio <= goal:
            mark = "  over goal"
            over.append(r.page.name)
        print(
            f"{r.page.name:{width}} {r.requests:8d} {shown_rate:>8} "
            f"{r.p50_ms:8.2f} {r.p99_ms:8.2f} {error_share:>7} {r.p50_ms / bare:8.1f}x"
            f" {ratio:18.2f}x {'' if goal is None else f'{goal:.1f}x':>6}{mark}"
        )
        if r.page.server == "against":
            continue  # in the comparison below, not among the measured pages
        rows.append(
            {
                "page": r.page.name,
                "p50_ms": round(r.p50_ms, 3),
                "p99_ms": round(r.p99_ms, 3),
                "requests_per_second": None if rate is None else round(rate, 1),
                "requests": r.requests,
                "errors": r.errors,
                "rounds_p50_ms": [round(x, 3) for x in r.rounds_p50_ms],
                "ratio_to_bare": round(r.p50_ms / bare, 3),
                "ratio_to_logged_in_bare": round(ratio, 3),
                "goal": goal,
            }
        )
    print(
        f"goal: p50 <= {PAGE_GOAL:.0f}x the logged-in bare view's (home"
        f" {HOME_GOAL}x). The logged-in bare view is the bare project with Django's"
        " database sessions and authentication: the floor any logged-in page stands"
        f" on. {len(over)} page(s) over the goal."
    )
    figures: dict[str, Any] = {"load_average": load, "rows": rows}
    if options.against:
        figures["against"] = compare(results, options.against)
    Path(options.json).write_text(json.dumps(figures, indent=1) + "\n")
    print(f"wrote {options.json}")
    return over


def compare(results: list[Result], rev: str) -> dict[str, Any]:
    """Print and return each page's p50 now against its twin's at `rev` (driven in
    turn in the same run, so the machine's load reached both alike)."""
    print(
        f"\nagainst {rev}, same run, page and twin in turn (lower p50 of the rounds):"
    )
    header = f"{'page':34} {'p50 ms now':>10} {'p50 ms at ' + rev:>20} {'change':>7}"
    print(header)
    print("-" * len(header))
    rows = []
    for now, then in itertools.pairwise(results):
        if then.page.server != "against" or now.page.server != "app":
            continue
        change = now.p50_ms / then.p50_ms - 1 if then.p50_ms else float("nan")
        print(
            f"{now.page.name:34} {now.p50_ms:10.2f} {then.p50_ms:20.2f} {change:+7.1%}"
        )
        rows.append(
            {
                "page": now.page.name,
                "p50_ms": round(now.p50_ms, 3),
                "p50_ms_then": round(then.p50_ms, 3),
                "change": round(change, 4),
            }
        )
    return {"rev": rev, "rows": rows}


if __name__ == "__main__":
    sys.exit(main())
