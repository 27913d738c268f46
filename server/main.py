"""`antrean server`: configuration, start-up, serving, shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import signal
import ssl
import sys
from pathlib import Path

import platformdirs

from server.app import AntreanServer
from server.config import ConfigError, OfficeConfig, load_config
from server.demo import DEMO_TOKENS, DEMO_USERNAME, demo_config
from server.migrations import SchemaError
from server.settings import Config

log = logging.getLogger("antrean.server")


def default_db_url(demo: bool) -> str:
    folder = Path(platformdirs.user_data_dir("antrean", appauthor=False))
    return f"sqlite:///{folder / ('demo.db' if demo else 'antrean.db')}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--db", help="sqlite:///PATH (default: in the user's data folder) "
                        "or postgresql+asyncpg://USER@HOST/DB")
    parser.add_argument("--config", help="the office file (see assets/office.example.toml)")
    parser.add_argument("--demo", action="store_true", help="run the built-in demo office")
    parser.add_argument("--cert", help="TLS certificate (PEM) to serve wss://")
    parser.add_argument("--key", help="TLS private key (PEM)")
    parser.add_argument("--log-level", default="INFO")


def build_config(args: argparse.Namespace) -> OfficeConfig:
    if args.demo and args.config:
        raise ConfigError("use either --demo or --config, not both")
    if args.demo:
        if not is_loopback(args.host):
            raise ConfigError("the demo office only listens on loopback (127.0.0.1): "
                              "its tokens and PIN are public")
        return demo_config()
    if not args.config:
        raise ConfigError("give --config office.toml (or --demo for the demo office)")
    return load_config(args.config)


def tls_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    if not args.cert and not args.key:
        return None
    if not (args.cert and args.key):
        raise ConfigError("--cert and --key go together")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    return context


def server_config(args: argparse.Namespace, office: OfficeConfig) -> Config:
    """Every runtime setting from the command line and the office file."""
    return Config(office, args.db or default_db_url(office.demo), host=args.host,
                  port=args.port, ssl_context=tls_context(args))


async def serve_until_stopped(args: argparse.Namespace, config: OfficeConfig) -> None:
    try:
        server = AntreanServer(server_config(args, config))
    except ValueError as exc:  # a database URL that cannot be used
        raise ConfigError(f"--db: {exc}") from None
    await server.start()
    server.settle_heap()  # the restored day lives all day: out of the collector's way
    scheme = "wss" if args.cert else "ws"
    print(f"Antrean server for {config.office.name!r} at {scheme}://{args.host}:{server.port}/ws "
          f"(health: http{'s' if args.cert else ''}://{args.host}:{server.port}/healthz)",
          flush=True)
    print(f"Visitor pages (ticket QR, survey, complaints) at {server.web.base_url}/", flush=True)
    if config.demo:
        print("Demo tokens: " + ", ".join(f"{r}={t}" for r, t in DEMO_TOKENS.items())
              + f"; staff {DEMO_USERNAME!r} PIN 1234", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("stopping: finishing queued changes and closing connections")
    await server.stop()


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = build_config(args)
        asyncio.run(serve_until_stopped(args, config))
    except ConfigError as exc:
        print(f"antrean server: configuration error: {exc}", file=sys.stderr)
        return 2
    except SchemaError as exc:
        from server.migrations.cli import refusal

        print(f"antrean server: {refusal(exc, args.db or default_db_url(args.demo))}",
              file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"antrean server: {exc}", file=sys.stderr)
        return 1
    return 0
