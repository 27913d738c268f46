"""One command for everything: `antrean server|kiosk|display|counter|demo|...`.

Each app's flags are declared here, so `--help` is complete without loading
Qt. A flag can also come from the environment (ANTREAN_SERVER, ANTREAN_DEVICE,
ANTREAN_TOKEN, ANTREAN_PRINTER, ...) or from the app's table (`[kiosk]`,
`[display]`, `[counter]`) in a TOML file given with `--config`, such as the
office file; the command line wins over the environment, which wins over the
file."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_SERVER = "ws://127.0.0.1:8765/ws"
APPS = ("kiosk", "display", "counter")
# Flags whose default comes from the environment; the file does not override these.
ENVIRONMENT = {
    "server": "ANTREAN_SERVER", "device": "ANTREAN_DEVICE", "token": "ANTREAN_TOKEN",
    "printer": "ANTREAN_PRINTER", "media": "ANTREAN_MEDIA", "counter": "ANTREAN_COUNTER",
    "supervisor_token": "ANTREAN_SUPERVISOR_TOKEN",
}


class ClientConfigError(ValueError):
    """A client settings file that cannot be used; the message names the key."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def tile(text: str) -> tuple[int, int]:
    """`--tile 2/3`: the second of three places side by side."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected INDEX/COUNT such as 1/3, got {text!r}") \
            from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"INDEX must be 1 to COUNT, got {text!r}")
    return index, count


def _client_arguments(parser: argparse.ArgumentParser, device: str) -> None:
    parser.add_argument("--server", default=_env("ANTREAN_SERVER", DEFAULT_SERVER),
                        help="the server's WebSocket URL (ws:// or wss://); a leader and its "
                        "standby as a comma-separated list: ws://a:8765/ws,ws://b:8765/ws")
    parser.add_argument("--device", default=_env("ANTREAN_DEVICE", device),
                        help="this device's name, as the office config knows it")
    parser.add_argument("--token", default=_env("ANTREAN_TOKEN"),
                        help="this device's token (or ANTREAN_TOKEN)")
    parser.add_argument("--windowed", action="store_true",
                        help="a normal window instead of full screen")
    parser.add_argument("--tile", type=tile, default=None, metavar="INDEX/COUNT",
                        help="with --windowed: take the INDEX-th of COUNT places side by "
                        "side on the screen (the demo lays out its windows so)")
    parser.add_argument("--lang", choices=("id", "en"), default="id",
                        help="starting language of the screen")
    parser.add_argument("--config", help="a TOML file whose [kiosk], [display] or [counter] "
                        "table gives these settings (e.g. the office file)")


def build_parser() -> argparse.ArgumentParser:
    from server.main import add_server_arguments

    parser = argparse.ArgumentParser(prog="antrean", description="Antrean digital queue system")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    server = commands.add_parser("server", help="run the central server")
    add_server_arguments(server)

    kiosk = commands.add_parser("kiosk", help="the visitors' touchscreen ticket kiosk")
    _client_arguments(kiosk, "kiosk-1")
    kiosk.add_argument("--printer", default=_env("ANTREAN_PRINTER", "none"),
                       help="network://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0?"
                       "baudrate=9600, file:///dev/usb/lp0, preview://DIR or none")
    kiosk.add_argument("--idle-seconds", type=float, default=30.0,
                       help="return to the start screen after this long without a touch")
    kiosk.add_argument("--office-name", default="",
                       help="the office's name, shown until the server's welcome gives it")
    kiosk.add_argument("--timezone", default=None,
                       help="the office's time zone (e.g. Asia/Jayapura) for the clock until "
                       "the server's welcome gives it (default: the machine's)")

    display = commands.add_parser("display", help="the waiting-room display")
    _client_arguments(display, "display-1")
    display.add_argument("--services", default="",
                         help="comma-separated service codes to show (default: all)")
    display.add_argument("--no-sound", action="store_true", help="no chime and no voice")
    display.add_argument("--english", action="store_true",
                         help="after the Indonesian announcement, also speak English")
    display.add_argument("--media", default=_env("ANTREAN_MEDIA"),
                         help="folder of images (and videos) to cycle in the media area")

    counter = commands.add_parser("counter", help="the counter staff's console")
    _client_arguments(counter, "counter-1")
    counter.add_argument("--counter", required=False, default=_env("ANTREAN_COUNTER"),
                         help="which counter this console is (e.g. 3)")
    counter.add_argument("--supervisor-token", default=_env("ANTREAN_SUPERVISOR_TOKEN"),
                         help="a supervisor device token: enables the supervisor tab for "
                         "staff with the supervisor role")

    demo = commands.add_parser("demo", help="the whole system on this machine: demo server, "
                               "kiosk, display and counter console")
    demo.add_argument("--port", type=int, default=8765)
    demo.add_argument("--db", help="database URL (default: a demo file in the data folder)")
    demo.add_argument("--no-sound", action="store_true")
    demo.add_argument("--only", default="kiosk,display,counter",
                      help="which front ends to open (comma-separated)")
    demo.add_argument("--printer", default=None,
                      help="kiosk printer URI (default: preview:// into the data folder)")
    demo.add_argument("--fresh", action="store_true",
                      help="start with an empty demo database (clears the demo's own state "
                      "in the data folder)")

    secret = commands.add_parser("hash-secret", help="hash a device token or staff PIN for the "
                                 "office file")
    secret.add_argument("secret", nargs="?", help="the token or PIN (asked for when left out)")

    check = commands.add_parser("check-config", help="validate an office file and say what "
                                "is wrong")
    check.add_argument("config")

    from server.main import default_db_url
    from server.migrations.cli import add_db_arguments

    database = commands.add_parser("db", help="the database's schema: upgrade, current")
    add_db_arguments(database, lambda: default_db_url(False))

    from server.backup import add_backup_arguments, add_restore_arguments

    add_backup_arguments(commands.add_parser(
        "backup", help="copy the database while the server runs (docs/database.md)"))
    add_restore_arguments(commands.add_parser(
        "restore", help="put a backup back (the server stopped)"))
    audit = commands.add_parser("audit", help="the tamper-evident event log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser("verify", help="recompute the event log's hash chain: "
                                       "exit 0 when intact, 1 naming the first bad seq")
    verify.add_argument("--db", required=True, help="the database URL")
    verify.add_argument("--from", dest="first_day", help="first office day (YYYY-MM-DD)")
    verify.add_argument("--to", dest="last_day", help="last office day (YYYY-MM-DD)")
    verify.add_argument("--lang", choices=("id", "en"), default="id")

    report = commands.add_parser("report", help="the period's report: waits, service, ETA "
                                 "honesty, complaints, SKM/IKM, audit hash")
    report.add_argument("--db", required=True, help="the database URL")
    report.add_argument("--config", help="the office file (names of services, counters, staff; "
                        "quotas)")
    report.add_argument("--from", dest="first_day", required=True, help="first day (YYYY-MM-DD)")
    report.add_argument("--to", dest="last_day", required=True, help="last day (YYYY-MM-DD)")
    report.add_argument("--lang", choices=("id", "en"), default="id")
    report.add_argument("--trial-from", metavar="DAY",
                        help="the day a trial began (services with trial = true in --config): "
                        "the days before it against the days from it on; default: the first "
                        "day a trial service issued a ticket")
    report.add_argument("--out", required=True, help="FILE.xlsx, FILE.csv (a folder of CSVs), "
                        "FILE.zip (CSVs), FILE.html or FILE.pdf")
    offices = report.add_mutually_exclusive_group()
    offices.add_argument("--office", help="PostgreSQL: the office's schema")
    offices.add_argument("--all-offices", action="store_true",
                         help="PostgreSQL: one report per office schema (FILE-SCHEMA.ext)")
    from server.sim.commands import add_arguments as add_sim_arguments

    add_sim_arguments(commands.add_parser(
        "simulate", help="simulated office days through the real server: waits, "
        "utilisation, ETA honesty (HTML or XLSX report)"), "simulate")
    add_sim_arguments(commands.add_parser(
        "plan", help="the fewest counters per hour and service for a p90 wait target"), "plan")
    bookings = commands.add_parser("bookings", help="appointments: import a CSV file")
    actions = bookings.add_subparsers(dest="bookings_command", required=True, metavar="ACTION")
    imports = actions.add_parser("import", help="import bookings from a CSV file "
                                 "(code,service,date,start,end[,name]; see docs/bookings.md)")
    imports.add_argument("file")
    imports.add_argument("--config", help="the office file (its services are checked)")
    imports.add_argument("--demo", action="store_true", help="the built-in demo office")
    imports.add_argument("--db", help="the server's database URL (default: the server's)")
    return parser


def settings_from_file(path: str, app: str, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The app's table of a TOML file as flag defaults, minus what the
    environment already sets. Every key must be a setting: a misspelt one is
    an error naming it and the nearest setting, never silently ignored."""
    from antrean.settings_keys import toml_error_message, unknown_key_message

    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ClientConfigError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ClientConfigError(toml_error_message(path, exc)) from None
    problems = []
    if "office" not in raw:  # a device file: only the apps' tables belong in it
        problems += [unknown_key_message("", key, APPS) for key in raw if key not in APPS]
    table = raw.get(app, {})
    if not isinstance(table, dict):
        raise ClientConfigError(f"{path}: [{app}] must be a table")
    settings_known = sorted(action.dest.replace("_", "-") for action in parser._actions
                            if action.dest not in ("help", "config"))
    settings: dict[str, Any] = {}
    for key, value in table.items():
        dest = key.replace("-", "_")
        if dest.replace("_", "-") not in settings_known:
            problems.append(unknown_key_message(app, key, settings_known)
                            + f" (not a setting of `antrean {app}`)")
            continue
        if dest in ENVIRONMENT and ENVIRONMENT[dest] in os.environ:
            continue
        settings[dest] = ",".join(value) if isinstance(value, list) else value
    if problems:
        raise ClientConfigError(f"{path}: " + f"\n{path}: ".join(problems))
    return settings


def _app_parser(parser: argparse.ArgumentParser, app: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices[app]
            return sub
    raise KeyError(app)  # pragma: no cover


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, completed from an app's `--config` file."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in APPS and args.config:
        app_parser = _app_parser(parser, args.command)
        app_parser.set_defaults(**settings_from_file(args.config, args.command, app_parser))
        args = parser.parse_args(argv)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except ClientConfigError as exc:
        print(f"antrean: {exc}", file=sys.stderr)
        return 2
    command: str = args.command
    if command == "server":
        from server.main import run as run_server

        return run_server(args)
    if command in ("kiosk", "display", "counter"):
        if not args.token:
            print(f"antrean {command}: give --token (or ANTREAN_TOKEN)", file=sys.stderr)
            return 2
        app = importlib.import_module(f"{command}.app")
        return int(app.run(args))
    if command == "demo":
        from antrean.demo import run_demo

        return run_demo(args)
    if command == "hash-secret":
        import getpass

        from server.config import hash_secret

        print(hash_secret(args.secret or getpass.getpass("Token or PIN: ")))
        return 0
    if command == "check-config":
        from server.config import ConfigError, ConfigFileError, load_config

        try:
            config = load_config(args.config)
        except ConfigFileError as exc:
            print(exc, file=sys.stderr)  # it names the file (and the line) already
            return 2
        except ConfigError as exc:
            print(f"{args.config}: {exc}", file=sys.stderr)
            return 2
        print(f"{args.config}: OK — {config.office.name}, {len(config.office.services)} "
              f"services, {len(config.office.counters)} counters, {len(config.devices)} "
              f"devices, {len(config.staff)} staff")
        return 0
    if command == "db":
        from server.main import default_db_url
        from server.migrations.cli import run as run_db

        return run_db(args, default_db_url(False))
    if command in ("backup", "restore"):
        from server.backup import run_backup, run_restore

        return run_backup(args) if command == "backup" else run_restore(args)
    if command == "audit":
        from server.audit import run_verify

        return run_verify(args.db, args.first_day, args.last_day, args.lang)
    if command == "report":
        from server.report import run_report

        return run_report(args)
    if command in ("simulate", "plan"):
        from server.sim.commands import run_plan, run_simulate

        return run_simulate(args) if command == "simulate" else run_plan(args)
    if command == "bookings":
        from server.bookings_cli import run as run_bookings

        return run_bookings(args)
    raise AssertionError(command)  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
