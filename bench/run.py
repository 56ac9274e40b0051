"""The benchmark: `make bench` (or `make bench QUICK=1`).

For each database and archive size: seed a database once (manage.py seed_bench, kept
under bench/work/ for the next run), start the site as in production (gunicorn with
config/gunicorn.py, DEBUG off, whitenoise), and drive each URL of the mix with wrk
(warm-up, then a fixed duration at a fixed concurrency). Beside them, in the same
run, the ceiling of this stack: a static file of the median page's size through the
same gunicorn and whitenoise. SQL queries per request are counted in-process with
Django's test client on the same database.

Results: bench/results/<time>-<database>.json and .md, and bench/results/latest.md.

Served in turn (interleaved): --against REV compares this tree with a git revision,
--sizes-in-turn the largest size with the smallest; both sides run at once and each
URL is measured in rounds, each side once a round, so that the machine's drift falls
on both alike.
"""

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

# What each URL is called in the tables, and how it is found in a seeded database.
URLS_SCRIPT = r"""
import json, statistics
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from bulletin.models import Article, Section
from jokes.models import Joke
from taggit.models import Tag
from portal.management.commands.seed_bench import COMMON_WORD, RARE_WORD

section = Section.objects.order_by("position").first()
in_section = Article.objects.published().filter(section=section).count()
last_page = max(1, -(-in_section // 20))
article = Article.objects.published().order_by("-publish_at")[50]
joke = Joke.objects.published().order_by("-published_at")[50]
tag = Tag.objects.order_by("pk")[10]
mix = {
    "home": "/",
    "all headlines": "/bulletin/",
    "section p1": section.get_absolute_url(),
    f"section p{min(1000, last_page)}": f"{section.get_absolute_url()}?page={min(1000, last_page)}",
    "article": article.get_absolute_url(),
    "tag": f"/tags/{tag.slug}/",
    "jokes newest": "/jokes/",
    "jokes top": "/jokes/top/",
    "joke": joke.get_absolute_url(),
    "random joke": "/jokes/random/",
    "search common": f"/search/?q={COMMON_WORD}",
    "search rare": f"/search/?q={RARE_WORD}",
    "feed": "/feeds/headlines/",
    "sitemap": "/sitemap.xml",
    "api jokes": "/api/jokes",
}
# Tables that grow with the archive: a sequential scan of one on a page is a defect.
LARGE = {"bulletin_article", "jokes_joke", "bulletin_taggedarticle", "jokes_taggedjoke",
         "jokes_vote", "jokes_report"}


def seq_scans(sql):  # the large tables PostgreSQL's plan for `sql` reads whole
    if sql.startswith("PREPARE "):  # planned once (portal/prepared.py): its EXECUTE
        sql = "EXECUTE " + sql.rsplit("; EXECUTE ", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found, nodes = [], [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in LARGE:
            found.append(node["Relation Name"])
        nodes += node.get("Plans", [])
    return found


client = Client()
found = {}
for name, url in mix.items():
    client.get(url)  # warm: joke of the day, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    found[name] = {"url": url, "status": response.status_code, "queries": len(queries),
                   "bytes": len(response.content)}
    if connection.vendor == "postgresql":
        found[name]["seq_scans"] = sorted({table for query in queries.captured_queries
                                           for table in seq_scans(query["sql"])})
print("URLS" + json.dumps(found))
"""


def log(*args):
    print(*args, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url, static_root):
    environ = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environ.update(
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        REDIS_URL=REDIS,
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
        # The harness is one client address: let it through.
        API_REQUESTS_PER_MINUTE="100000000",
    )
    return environ


def manage(environ, *args, root=ROOT):
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=root, env=environ, capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def database(kind, size):
    if kind == "sqlite":
        return f"sqlite:///{WORK / f'bench-{size}.sqlite3'}"
    return f"{POSTGRES}/jokesite_bench_{size}"


def prepare(kind, size, static_root):
    """Seed the database of this kind and size unless an earlier run did."""
    url = database(kind, size)
    environ = environment(url, static_root)
    marker = WORK / f"{kind}-{size}.seeded"
    if marker.exists():
        return environ
    log(f"seeding {kind} with {size} articles and {size} jokes...")
    started = time.monotonic()
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS jokesite_bench_{size} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE jokesite_bench_{size}")
    manage(environ, "migrate", "--noinput", "--verbosity", "0")
    manage(environ, "seed_bench", "--articles", str(size), "--jokes", str(size))
    if kind == "postgres":
        import psycopg

        with psycopg.connect(url, autocommit=True) as db:
            db.execute("VACUUM ANALYZE")
    else:
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute("ANALYZE")
    marker.write_text(f"{time.monotonic() - started:.0f} s\n")
    log(f"  seeded in {time.monotonic() - started:.0f} s")
    return environ


class Gunicorn:
    def __init__(self, environ, root=ROOT, log_name="gunicorn.log"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (WORK / log_name).open("w")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi",
             "--access-logfile", "/dev/null"],
            cwd=root, env={**environ, "BIND": f"127.0.0.1:{self.port}"},
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start; see bench/work/{log_name}")

    def workers_rss_kb(self):
        children = subprocess.run(  # noqa: S603 - fixed arguments
            ["ps", "-o", "rss=", "--ppid", str(self.process.pid)],  # noqa: S607
            capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        return [int(kb) for kb in children]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, seconds, connections):
    output = subprocess.run(  # noqa: S603 - fixed arguments
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],  # noqa: S607
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return parse_wrk(output)


def warm(url, args):
    """wrk for `args.warmup` seconds; with no warm-up time (the quick mode), a few
    dozen requests, enough for each worker to have compiled the page's templates."""
    if args.warmup:
        wrk(url, args.warmup, args.connections)
        return
    for _ in range(40):
        # An error here is counted by the measurement that follows.
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=10).read()  # noqa: S310 - our loopback server


def parse_wrk(output):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: float(v) * UNITS[u] for p, v, u in LATENCY.findall(output)}
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: (.*)"):
        match = re.search(pattern, output)
        if match:
            errors += sum(int(n) for n in re.findall(r"\d+", match.group(1)))
    return {"rps": rps, "p50_ms": latency.get("50"), "p99_ms": latency.get("99"),
            "errors": errors}  # fmt: skip


# wrk drives the whole mix, one address after another on each connection, with a
# pause before each request when a rate is asked for (the soak).
MIX_SCRIPT = """
local paths = {%s}
local pause = %f
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
delay = function()
  return pause
end
"""


def wrk_mix(base_url, paths, seconds, connections, pause_ms=0.0):
    script = WORK / "mix.lua"
    script.write_text(MIX_SCRIPT % (", ".join(json.dumps(p) for p in paths), pause_ms))
    output = subprocess.run(  # noqa: S603 - fixed arguments
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",  # noqa: S607
         "-s", str(script), base_url],
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return parse_wrk(output)


def soak(kind, size, args, static_root):
    """The whole mix at full speed for a while, then at half that rate for
    `args.soak` minutes, with worker recycling off: errors, and each worker's memory
    (RSS) after the warm-up and at the end."""
    environ = prepare(kind, size, static_root)
    environ = {**environ, "GUNICORN_MAX_REQUESTS": "0"}
    urls = json.loads(manage({**environ, "PAGE_CACHE_SECONDS": "0"}, "shell", "-c", URLS_SCRIPT)
                      .split("URLS", 1)[1])  # fmt: skip
    paths = [found["url"] for found in urls.values()]
    flush_redis()
    server = Gunicorn(environ)
    try:
        wrk_mix(server.url, paths, args.warmup * 5, args.connections)
        capacity = wrk_mix(server.url, paths, args.duration, args.connections)
        rate = capacity["rps"] / 2
        # Each connection waits this long before each request: half the rate.
        pause = max(0.0, args.connections / rate * 1000 - capacity["p50_ms"])
        log(f"  soak: capacity {capacity['rps']:.0f} req/s; {args.soak} min at ~{rate:.0f}")
        for _ in range(2):  # warm, and correct the pause to the rate it gave
            paced = wrk_mix(server.url, paths, 20, args.connections, pause)
            cycle = args.connections / paced["rps"] * 1000  # ms per request per connection
            pause = max(0.0, pause + args.connections / rate * 1000 - cycle)
        before = server.workers_rss_kb()
        samples = []
        started = time.monotonic()
        while time.monotonic() - started < args.soak * 60:
            samples.append(wrk_mix(server.url, paths, 60, args.connections, pause))
            log(f"  {len(samples)} min: {samples[-1]['rps']:.0f} req/s, "
                f"p99 {samples[-1]['p99_ms']:.1f} ms, errors {samples[-1]['errors']}, "
                f"workers {server.workers_rss_kb()} kB")  # fmt: skip
        after = server.workers_rss_kb()
    finally:
        server.stop()
    growth = [(b2 - b1) / b1 for b1, b2 in zip(sorted(before), sorted(after), strict=False)]
    return {
        "database": kind, "size": size, "minutes": args.soak, "capacity": capacity,
        "rate": rate, "samples": samples, "errors": sum(s["errors"] for s in samples),
        "requests_per_s": statistics.median(s["rps"] for s in samples),
        "worker_rss_kb": {"before": before, "after": after},
        "largest_growth": max(growth) if growth else None,
    }  # fmt: skip


def flush_redis(url=REDIS):
    import redis

    redis.Redis.from_url(url).flushdb()


def versions(kind, environ):
    script = (
        "import django, sqlite3; from django.db import connection; "
        "connection.ensure_connection(); "
        "print(django.get_version(), connection.vendor, "
        "connection.pg_version if connection.vendor == 'postgresql' else sqlite3.sqlite_version)"
    )
    django_version, vendor, db_version = manage(environ, "shell", "-c", script).split()[-3:]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)  # noqa: S607
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        "python": platform.python_version(),
        "django": django_version,
        "database": f"{vendor} {db_version}",
        "wrk": (wrk_version.stdout + wrk_version.stderr).split("\n")[0],
    }


def ceiling_size(size):
    """The ceiling's file for a page of `size` bytes: rounded to 4 kB (the rate of a
    static file barely changes within that), so a few files serve the whole mix."""
    return max(1024, round(size / 4096) * 4096)


def ceiling_path(size):
    return f"/static/bench-ceiling-{ceiling_size(size)}.html"


def measure(environ, urls, args, ceilings=None):
    """Every URL of the mix on one gunicorn started with `environ`; and, unless given,
    the ceiling for each: a static file of that page's size through the same
    gunicorn and whitenoise, measured the same way."""
    flush_redis()
    server = Gunicorn(environ)
    try:
        rss_before = server.workers_rss_kb()
        if ceilings is None:
            ceilings = {}
            for size in sorted({ceiling_size(found["bytes"]) for found in urls.values()}):
                url = server.url + ceiling_path(size)
                warm(url, args)
                ceilings[size] = wrk(url, args.duration, args.connections)
                log(f"  ceiling for {size:>6} bytes: {ceilings[size]['rps']:8.0f} req/s  "
                    f"p99 {ceilings[size]['p99_ms']:7.2f} ms")  # fmt: skip
        rows = {}
        for name, found in urls.items():
            url = server.url + found["url"]
            warm(url, args)
            result = wrk(url, args.duration, args.connections)
            result["ceiling_rps"] = ceilings[ceiling_size(found["bytes"])]["rps"]
            result["ratio"] = result["rps"] / result["ceiling_rps"]
            rows[name] = result
            log(f"  {name:<16} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:7.2f} ms  "
                f"p99 {result['p99_ms']:7.2f} ms  {result['ratio']:6.1%}  "
                f"errors {result['errors']}")  # fmt: skip
        rss_after = server.workers_rss_kb()
    finally:
        server.stop()
    return {"urls": rows, "ceilings": ceilings,
            "worker_rss_kb": {"before": rss_before, "after": rss_after}}  # fmt: skip


def run(kind, size, args, static_root):
    environ = prepare(kind, size, static_root)
    urls = find_urls(environ)
    for found in urls.values():
        ceiling = ceiling_size(found["bytes"])
        (static_root / ceiling_path(ceiling).removeprefix("/static/")).write_bytes(b"x" * ceiling)
    modes, ceilings = {}, None
    for mode in args.modes.split(","):
        log(f"  -- {mode}")
        mode_env = environ if mode == "cached" else {**environ, "PAGE_CACHE_SECONDS": "0"}
        modes[mode] = measure(mode_env, urls, args, ceilings)
        ceilings = modes[mode]["ceilings"]  # measured once, in the first mode's server
    return {
        "database": kind,
        "size": size,
        "versions": versions(kind, environ),
        "concurrency": args.connections,
        "duration_s": args.duration,
        "urls": urls,
        "modes": modes,
    }


def find_urls(environ, only=None):
    """The mix's URLs in this database: {name: {"url", "status", "queries", ...}}.
    `only`: the names to keep (a comma-separated list), for an in-turn run."""
    # Queries a page really costs: counted with the page cache off.
    script_env = {**environ, "PAGE_CACHE_SECONDS": "0"}
    urls = json.loads(manage(script_env, "shell", "-c", URLS_SCRIPT).split("URLS", 1)[1])
    if not only:
        return urls
    wanted = [name.strip() for name in only.split(",")]
    unknown = [name for name in wanted if name not in urls]
    if unknown:
        raise SystemExit(f"--urls: no {', '.join(unknown)} in the mix ({', '.join(urls)})")
    return {name: found for name, found in urls.items() if name in wanted}


def redis_database(url, offset):
    """`url` with the database `offset` after its own (0 when it names none)."""
    parts = urllib.parse.urlsplit(url)
    number = int(parts.path.strip("/") or 0) + offset
    return urllib.parse.urlunsplit(parts._replace(path=f"/{number}"))


def interleaved(contenders, args):
    """The mix on several servers in turn: for each URL, `args.rounds` rounds, each
    round every contender once (warm-up, then wrk), so that a drift of the machine's
    speed (shares of the ceiling move by 10-30% between runs here) falls on all of them
    alike. `contenders`: {label: {"environ", "root", "urls"}}, their mixes in the same
    order (a deep page's number differs between sizes). Each contender has a Redis
    database of its own, so that no server replays another's pages.

    Returns {label: [{"name", "url", "rounds": [wrk results], "rps", "p99_ms",
    "errors"}, ...]} in the mix's order; rps and p99_ms are the rounds' medians."""
    servers = {}
    try:
        for number, (label, contender) in enumerate(contenders.items()):
            redis_url = redis_database(REDIS, number)
            flush_redis(redis_url)
            environ = {**contender["environ"], "REDIS_URL": redis_url}
            servers[label] = Gunicorn(environ, contender["root"], f"gunicorn-{number}.log")
        names = {label: list(contender["urls"]) for label, contender in contenders.items()}
        rows = {label: [] for label in contenders}
        for position in range(len(next(iter(names.values())))):
            for label, contender in contenders.items():
                name = names[label][position]
                rows[label].append({"name": name, "url": contender["urls"][name]["url"],
                                    "rounds": []})  # fmt: skip
            for _ in range(args.rounds):
                for label, server in servers.items():
                    row = rows[label][position]
                    warm(server.url + row["url"], args)
                    row["rounds"].append(wrk(server.url + row["url"], args.duration,
                                             args.connections))  # fmt: skip
            line = []
            for label in contenders:
                row = rows[label][position]
                row["rps"] = statistics.median(r["rps"] for r in row["rounds"])
                row["p99_ms"] = statistics.median(r["p99_ms"] for r in row["rounds"])
                row["errors"] = sum(r["errors"] for r in row["rounds"])
                line.append(f"{label} {row['rps']:7.0f} req/s p99 {row['p99_ms']:6.1f} ms")
            log(f"  {rows[label][position]['name']:<16} " + "  ".join(line))
    finally:
        for server in servers.values():
            server.stop()
    return rows


def interleaved_markdown(title, rows, before, after, ratio_name, invert=False):
    """A table of an interleaved run: each URL's rate and p99 on `before` and `after`,
    and `ratio_name`: after's rate over before's (before's over after's with `invert`:
    a cost), the median of the rounds' own ratios, then each round's."""
    lines = [f"### {title}", "",
             f"| URL | {before} req/s | {after} req/s | {before} p99 ms | {after} p99 ms | "
             f"{ratio_name} | each round | errors |",
             "|---|---:|---:|---:|---:|---:|---|---:|"]  # fmt: skip
    for first, second in zip(rows[before], rows[after], strict=True):
        ratios = [
            (a["rps"] / b["rps"]) if invert else (b["rps"] / a["rps"])
            for a, b in zip(first["rounds"], second["rounds"], strict=True)
        ]
        name = first["name"] if first["name"] == second["name"] else (
            f"{first['name']} / {second['name'].rsplit(' ', 1)[-1]}")  # fmt: skip
        lines.append(
            f"| {name} | {first['rps']:,.0f} | {second['rps']:,.0f} | {first['p99_ms']:.1f} | "
            f"{second['p99_ms']:.1f} | {statistics.median(ratios):.2f} | "
            f"{', '.join(f'{r:.2f}' for r in ratios)} | {first['errors'] + second['errors']} |"
        )
    return "\n".join([*lines, ""])


def compare_sizes(kind, args, static_root):
    """The cost of each URL at the largest size over the smallest, both served in turn."""
    sizes = [int(size) for size in args.sizes.split(",")]
    small, large = sizes[0], sizes[-1]
    contenders = {}
    for size in (small, large):
        environ = {**prepare(kind, size, static_root), "PAGE_CACHE_SECONDS": "0"}
        urls = find_urls(environ, args.urls)
        contenders[f"{size:,}"] = {"environ": environ, "root": ROOT, "urls": urls}
    rows = interleaved(contenders, args)
    title = (f"{kind}: cost at {large:,} over {small:,}, uncached, both served in turn "
             f"({args.rounds} rounds of {args.duration} s per URL)")  # fmt: skip
    table = interleaved_markdown(title, rows, f"{small:,}", f"{large:,}", "cost", invert=True)
    return {"database": kind, "sizes": [small, large], "rounds": args.rounds,
            "duration_s": args.duration, "rows": rows}, table  # fmt: skip


def against_worktree(revision):
    """A checkout of `revision` under bench/work/ (removed after the run), which must
    share this tree's database schema."""
    sha = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if sha.returncode:
        raise SystemExit(f"--against: {revision!r} is not a commit here")
    sha = sha.stdout.strip()
    migrations = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "diff", "--quiet", sha, "--", "*/migrations/*.py"], cwd=ROOT,  # noqa: S607
    )  # fmt: skip
    if migrations.returncode:
        raise SystemExit(
            f"--against: the migrations of {revision} differ from this tree's; both must "
            "read the same benchmark database"
        )
    root = WORK / f"against-{sha[:12]}"
    # A run cut short leaves its checkout: remove it, then forget it, then add it again.
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True)  # noqa: S607
    subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "worktree", "add", "--detach", str(root), sha],  # noqa: S607
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return sha, root


def compare_revision(kind, size, args, static_root):
    """This tree against `args.against`, on the same database, uncached: before and after."""
    environ = {**prepare(kind, size, static_root), "PAGE_CACHE_SECONDS": "0"}
    urls = find_urls(environ, args.urls)
    sha, root = against_worktree(args.against)
    their_static = WORK / f"static-{sha[:12]}"
    their_environ = {**environ, "STATIC_ROOT": str(their_static)}
    before, after = args.against, "this tree"
    contenders = {
        before: {"environ": their_environ, "root": root, "urls": urls},
        after: {"environ": environ, "root": ROOT, "urls": urls},
    }
    try:
        manage(their_environ, "collectstatic", "--noinput", "--verbosity", "0", root=root)
        rows = interleaved(contenders, args)
    finally:
        subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "worktree", "remove", "--force", str(root)], cwd=ROOT,  # noqa: S607
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(their_static, ignore_errors=True)
    title = (f"{kind}, {size:,}: this tree against {args.against} ({sha[:12]}), "
             f"uncached, both served in turn ({args.rounds} rounds of {args.duration} s "
             "per URL)")  # fmt: skip
    table = interleaved_markdown(title, rows, before, after, "after ÷ before")
    return {"database": kind, "size": size, "against": sha, "rounds": args.rounds,
            "duration_s": args.duration, "rows": rows}, table  # fmt: skip


def markdown(results):
    lines = []
    for result in results:
        versions_ = result["versions"]
        lines += [
            f"### {result['database']}, {result['size']:,} articles and {result['size']:,} jokes",
            "",
            f"{versions_['machine']}; Python {versions_['python']}, Django {versions_['django']}, "
            f"{versions_['database']}; wrk, {result['concurrency']} connections, "
            f"{result['duration_s']} s per URL.",
        ]
        lines += [
            "",
            "Ceiling: a static file of the page's size (to 4 kB) through the same gunicorn "
            "and whitenoise, in the same run; *of ceiling* is the page's requests per "
            "second over the ceiling's.",
        ]
        modes = list(result["modes"])
        head = "ceiling req/s | " + " | ".join(
            f"{m} req/s | {m} of ceiling | {m} p50 ms | {m} p99 ms" for m in modes
        )
        plans = result["database"] == "postgres"
        seq_head = " seq scans |" if plans else ""
        lines += ["", f"| URL | bytes | {head} | errors | queries |{seq_head}",
                  "|---|" + "---:|" * (4 * len(modes) + 4) + ("---|" if plans else "")]  # fmt: skip
        for name, found in result["urls"].items():
            cells = []
            errors = 0
            for mode in modes:
                row = result["modes"][mode]["urls"][name]
                cells.append(f"{row['rps']:,.0f} | {row['ratio']:.1%} | {row['p50_ms']:.1f} | "
                             f"{row['p99_ms']:.1f}")  # fmt: skip
                errors += row["errors"]
            seq = (" " + (", ".join(found["seq_scans"]) or "none") + " |") if plans else ""
            ceiling = result["modes"][modes[0]]["urls"][name]["ceiling_rps"]
            lines.append(f"| {name} | {found['bytes']:,} | {ceiling:,.0f} | {' | '.join(cells)} | "
                         f"{errors} | {found['queries']} |{seq}")  # fmt: skip
        lines.append("")
    return "\n".join(lines)


def summary(results):
    """One table for a database: each URL's share of its ceiling, cached and not, at
    the smallest and the largest size, and how much more a request costs at the
    largest (the ratio of requests per second, uncached)."""
    small, large = results[0], results[-1]
    if small is large or set(small["modes"]) != {"cached", "uncached"}:
        return ""
    a, b = f"{small['size']:,}", f"{large['size']:,}"
    lines = [
        f"### {small['database']}: {a} and {b} articles and jokes",
        "",
        f"| URL | queries | cached {a} | cached {b} | uncached {a} | uncached {b} | "
        f"uncached p99 ms {b} | cost {b} ÷ {a} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    # The same mix at both sizes, in the same order (the deep page's number differs).
    for name, big in zip(small["urls"], large["urls"], strict=True):
        label = name if name == big else f"{name} / {big.rsplit(' ', 1)[-1]}"
        cells = [
            small["modes"]["cached"]["urls"][name]["ratio"],
            large["modes"]["cached"]["urls"][big]["ratio"],
            small["modes"]["uncached"]["urls"][name]["ratio"],
            large["modes"]["uncached"]["urls"][big]["ratio"],
        ]
        p99 = large["modes"]["uncached"]["urls"][big]["p99_ms"]
        cost = (
            small["modes"]["uncached"]["urls"][name]["rps"]
            / large["modes"]["uncached"]["urls"][big]["rps"]
        )
        lines.append(
            f"| {label} | {large['urls'][big]['queries']} | "
            + " | ".join(f"{cell:.1%}" for cell in cells)
            + f" | {p99:.1f} | {cost:.2f} |"
        )
    return "\n".join([*lines, ""])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1k on SQLite, 2 s per URL, warmed by 40 requests"
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--modes", default="cached,uncached", help="page cache on, off or both")
    parser.add_argument(
        "--soak", type=float, default=0, help="minutes at half capacity (the first size only)"
    )
    parser.add_argument(
        "--report", nargs="+", metavar="JSON", help="write the tables again from results"
    )
    parser.add_argument(
        "--sizes-in-turn",
        action="store_true",
        help="the cost of the largest size over the smallest, both served in turn (uncached)",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="this tree against a git revision, both served in turn (uncached, largest size)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of an in-turn run")
    parser.add_argument(
        "--urls",
        metavar="NAMES",
        help='an in-turn run measures only these of the mix, e.g. "article,tag"',
    )
    args = parser.parse_args()
    if args.report:
        tables = [summary(json.loads(Path(f).read_text())) for f in args.report]
        tables += [markdown(json.loads(Path(f).read_text())) for f in args.report]
        (RESULTS / "latest.md").write_text("\n".join(tables))
        log("\n".join(tables))
        return
    if args.quick:
        args.sizes, args.databases, args.duration, args.warmup = "1000", "sqlite", 2, 0
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    static_root = WORK / "static"
    if not (static_root / "staticfiles.json").exists():
        log("collecting static files...")
        manage(environment(database("sqlite", 0), static_root), "collectstatic", "--noinput")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    if args.sizes_in_turn or args.against:
        suffix = "sizes" if args.sizes_in_turn else "against"
        for kind in args.databases.split(","):
            log(f"== {kind}, {suffix}")
            if args.sizes_in_turn:
                result, table = compare_sizes(kind, args, static_root)
            else:
                largest = int(args.sizes.split(",")[-1])
                result, table = compare_revision(kind, largest, args, static_root)
            (RESULTS / f"{stamp}-{kind}-{suffix}.json").write_text(json.dumps(result, indent=2))
            (RESULTS / f"{stamp}-{kind}-{suffix}.md").write_text(table)
            log(table)
        return
    if args.soak:
        for kind in args.databases.split(","):
            size = int(args.sizes.split(",")[0])
            log(f"== soak, {kind}, {size:,}")
            result = soak(kind, size, args, static_root)
            (RESULTS / f"{stamp}-soak-{kind}.json").write_text(json.dumps(result, indent=2))
            log(f"  {result['errors']} errors; median {result['requests_per_s']:.0f} req/s; "
                f"largest worker growth {result['largest_growth']:.1%}")  # fmt: skip
        return
    for kind in args.databases.split(","):
        results = []
        for size in map(int, args.sizes.split(",")):
            log(f"== {kind}, {size:,}")
            results.append(run(kind, size, args, static_root))
        (RESULTS / f"{stamp}-{kind}.json").write_text(json.dumps(results, indent=2))
        table = summary(results) + "\n" + markdown(results)
        (RESULTS / f"{stamp}-{kind}.md").write_text(table)
        first = kind == args.databases.split(",")[0]
        with (RESULTS / "latest.md").open("w" if first else "a") as latest:
            latest.write(table + "\n")
        log(table)


if __name__ == "__main__":
    main()
