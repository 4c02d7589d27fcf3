"""`callsim serve`: the trainee's app in a browser (textual-serve), one app per session."""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the trainee's app to browsers (one app per browser session)",
        description="Serve the trainee's app to web browsers through textual-serve: each "
        "browser session gets its own app process, run as the trainee who signed in (or whom "
        "a reverse proxy's --user-header names), with its own saved settings. Listens on this "
        "machine only unless --public is given; put it behind a reverse proxy with TLS to reach "
        "other machines (docs/serve.md). Needs the 'serve' extra: pip install 'callsim[serve]'.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=port_number, default=8000, help="port to listen on (8000)")
    p.add_argument(
        "--public",
        action="store_true",
        help="allow a --host other than loopback (anyone who reaches it can sign in: prefer a "
        "reverse proxy with TLS and --user-header)",
    )
    p.add_argument(
        "--user-header",
        metavar="NAME",
        help="take who is training from this request header, set by an authenticating reverse "
        "proxy (e.g. X-Remote-User); without it, a sign-in page asks",
    )
    p.add_argument(
        "--sign-in",
        choices=("name", "accounts"),
        default="name",
        help="what the sign-in page asks: name (any trainee name, the default) or accounts "
        "(a name and password, checked by logging in to the team's PostgreSQL store --db as "
        "that person; each session's app then connects as them)",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when it is not http://HOST:PORT (behind a reverse "
        "proxy, e.g. https://training.example.org)",
    )
    p.add_argument(
        "--config-root",
        metavar="DIR",
        help="keep each session's (with --user-header: each person's) settings under DIR "
        "(default: a temporary folder removed when the server stops)",
    )
    p.add_argument(
        "--scenarios",
        metavar="DIR",
        action="append",
        default=[],
        help="also list the scenarios in DIR (repeatable)",
    )
    from callsim.sim.store_cli import add_db_argument

    add_db_argument(p)
    p.set_defaults(func=run)


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1-65535)")
    return value


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    try:
        from callsim.sim import serve
    except ImportError as exc:
        print(
            f"callsim serve: textual-serve is not installed ({terminal_safe(str(exc))}); "
            "install the serve extra: pip install 'callsim[serve]'",
            file=sys.stderr,
        )
        return 1
    if not serve.is_loopback(args.host) and not args.public:
        print(
            f"callsim serve: '{terminal_safe(args.host)}' is reachable from other machines; "
            "add --public to mean it (better: listen on 127.0.0.1 behind a reverse proxy with "
            "TLS, docs/serve.md)",
            file=sys.stderr,
        )
        return 2
    if args.public_url:
        from urllib.parse import urlsplit

        parts = urlsplit(args.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            print(
                f"callsim serve: --public-url: '{terminal_safe(args.public_url)}' is not an "
                "http(s) address such as https://training.example.org",
                file=sys.stderr,
            )
            return 2
    if args.user_header is not None and not args.user_header.strip():
        print("callsim serve: --user-header needs a header name", file=sys.stderr)
        return 2
    if args.sign_in == "accounts" and args.user_header is not None:
        print(
            "callsim serve: --sign-in accounts and --user-header both say who is training; "
            "give one",
            file=sys.stderr,
        )
        return 2
    from callsim.sim.config import scenario_dirs, setting

    # Each session runs with a config folder of its own: it gets the server's choices as given.
    args.scenarios = [str(d) for d in scenario_dirs(args.scenarios)]
    args.db = setting("db", args.db).value or None
    if args.sign_in == "accounts":
        from callsim.sim.store import is_server_url

        if not is_server_url(args.db):
            print(
                "callsim serve: --sign-in accounts checks passwords against a team's "
                "PostgreSQL store: give --db postgresql://USER@HOST:PORT/DB (docs/team.md)",
                file=sys.stderr,
            )
            return 2
    for d in args.scenarios:
        if not Path(d).is_dir():
            print(f"callsim: no such folder: {terminal_safe(d)}", file=sys.stderr)
            return 1
    from callsim.sim.store_cli import open_or_report

    store = open_or_report(args)  # a store that cannot open is said here, not in each browser
    if store is None:
        return 1
    try:
        serve.serve(
            host=args.host,
            port=args.port,
            db=args.db,
            scenario_dirs=args.scenarios,
            public_url=args.public_url.rstrip("/") if args.public_url else None,
            user_header=args.user_header.strip() if args.user_header else None,
            config_root=args.config_root,
            sign_in=args.sign_in,
        )
    except OSError as exc:  # the port is taken, or the address is not this machine's
        print(
            f"callsim serve: cannot listen on {terminal_safe(args.host)}:{args.port}: "
            f"{terminal_safe(exc.strerror or str(exc))}",
            file=sys.stderr,
        )
        return 1
    return 0
