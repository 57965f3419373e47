"""Load check (not a test): the main pages under concurrent signed-in users, on gunicorn and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc .venv/bin/python bench/load.py [--seconds 60]

Starts gunicorn (2 sync workers by default) with DEBUG off on the given PostgreSQL database, signs
in --concurrency clients through the login form (coordinator, unit user, leader and inspector in
turn), then for --seconds each client requests its role's pages one after another, without pause.
Prints requests/s, p50/p95 latency and the errors (a status outside 2xx/3xx, a redirect to the
login page, or a failed connection); exits 1 when there is any error.

The database must hold a plan with visits and users of each role with one password: the generated
data set (`manage.py generate_data`, users "gen-…") or the demo data (`load_units`, `demo_accounts`,
`load_demo_plan`, password cchc-demo-2022).
"""

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/http.py would hide the standard
# library's http package: put the project folder there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

from bench.http import (  # noqa: E402
    CpuMeter,
    Gunicorn,
    check_pages,
    close_django_connections,
    collectstatic,
    cpu_summary,
    database_name,
    default_password,
    discover,
    main_pages,
    run_load,
    server_env,
    setup_django,
    signed_in_sessions,
)

# What each role opens; client i takes role ROLES[i % 4].
ROLE_PAGES = {
    "coordinator": [
        "home",
        "unit list",
        "plan",
        "schedule",
        "dashboard",
        "remediation list",
        "plan overview",
        "remediation per unit",
        "visit",
    ],
    "unit_staff": ["home", "unit portal", "visit", "remediation list", "unit detail"],
    "leadership": ["home", "dashboard", "unit list", "schedule", "plan"],
    "inspector": ["home", "schedule", "visit findings", "visit", "my calendar"],
}
ROLES = list(ROLE_PAGES)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""), help="PostgreSQL URL")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=8, help="clients sending at the same time")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument(
        "--password",
        default=os.environ.get("BENCH_PASSWORD"),
        help="password of the users (default: $BENCH_PASSWORD, else generate_data's for gen- users, else the demo one)",
    )
    parser.add_argument("--prefix", default="gen-", help="prefer users whose username starts with this")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("bench/load.py runs on PostgreSQL: set DATABASE_URL or --database-url.", file=sys.stderr)
        return 2
    env = server_env(args.database_url)
    collectstatic(env)
    setup_django(env)
    targets = discover(args.prefix)
    pages = main_pages(targets)
    password = args.password or default_password(targets)
    close_django_connections()

    with Gunicorn(env, workers=args.workers, worker_class=args.worker_class, threads=args.threads) as server:
        roles = [ROLES[i % len(ROLES)] for i in range(args.concurrency)]
        sessions = signed_in_sessions(server.port, [targets.users[role] for role in roles], password)
        pages_of = [[pages[label] for label in ROLE_PAGES[role]] for role in roles]
        problems = check_pages(sessions, pages_of)
        if problems:
            print("Pages failing before the load:", *problems, sep="\n  ", file=sys.stderr)
        meter = CpuMeter(server, database_name(args.database_url))
        results = run_load(sessions, pages_of, args.seconds, meter=meter)
        for session in sessions:
            session.close()

    total = results.pop("all")
    errors = total.errors + len(problems)
    print(f"Load check: {server.description}, PostgreSQL, DEBUG off, {os.cpu_count()} cores")
    print(f"Data: {targets.describe()}")
    print(f"{args.concurrency} clients ({', '.join(roles)}) for {total.seconds:.1f} s\n")
    print(f"{'page':<22} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for label in sorted(results, key=lambda label: -results[label].percentile(50)):
        s = results[label]
        print(
            f"{label:<22} {s.requests:>9} {s.rps:>8.1f} {s.percentile(50):>8.0f} {s.percentile(95):>8.0f} {s.errors:>7}"
        )
    print(
        f"{'all':<22} {total.requests:>9} {total.rps:>8.1f} {total.percentile(50):>8.0f} "
        f"{total.percentile(95):>8.0f} {total.errors:>7}"
    )
    print(cpu_summary(total))
    print(
        f"\nrequests/s {total.rps:.1f}, p50 {total.percentile(50):.0f} ms, p95 {total.percentile(95):.0f} ms, "
        f"errors {errors}"
    )
    for sample in total.error_samples:
        print("  error:", sample)

    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "server": server.description,
                    "cores": os.cpu_count(),
                    "clients": args.concurrency,
                    "seconds": round(total.seconds, 1),
                    "requests": total.requests,
                    "rps": round(total.rps, 1),
                    "p50_ms": round(total.percentile(50), 1),
                    "p95_ms": round(total.percentile(95), 1),
                    "errors": errors,
                    "error_samples": total.error_samples + problems[:5],
                    "cpu_seconds": {k: round(v, 2) for k, v in total.cpu.items()},
                    "pages": {
                        label: {
                            "requests": s.requests,
                            "p50_ms": round(s.percentile(50), 1),
                            "p95_ms": round(s.percentile(95), 1),
                            "errors": s.errors,
                        }
                        for label, s in results.items()
                    },
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
