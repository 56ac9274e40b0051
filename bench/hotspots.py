"""Where a page's time goes: `python bench/hotspots.py URL [URL...]`.

Serves each URL in-process many times through Django's WSGI handler, with the
production settings the benchmark uses (DEBUG off, the page cache off unless
--cached) on a benchmark database seeded by `make bench`, under cProfile, and prints
the functions that cost the most. Milliseconds per request are printed first.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cached", action="store_true", help="page cache on")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    args = parser.parse_args()

    import run as bench

    environ = bench.environment(bench.database(args.database, args.size), bench.WORK / "static")
    if not args.cached:
        environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ.clear()
    os.environ.update(environ)
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    handler = WSGIHandler()
    factory = RequestFactory()

    def serve(url):
        path, _, query = url.partition("?")
        request_environ = factory._base_environ(PATH_INFO=path, QUERY_STRING=query)
        chunks = []
        status = []
        body = handler(request_environ, lambda s, h, *a: status.append(s))
        chunks.extend(body)
        if hasattr(body, "close"):
            body.close()
        return status[0], b"".join(chunks)

    for url in args.urls:
        for _ in range(20):  # warm: connections, template loader, caches
            status, _body = serve(url)
        started = time.perf_counter()
        for _ in range(args.requests):
            serve(url)
        per_request = (time.perf_counter() - started) / args.requests * 1000
        print(f"{url}: {status}, {per_request:.2f} ms a request")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            serve(url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
