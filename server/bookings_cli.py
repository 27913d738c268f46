"""`antrean bookings import FILE.csv`: bookings from a CSV into the office's
database (the same table the server reads at check-in; safe while it runs).
Importing the same file twice adds nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from server.bookings import CsvError, import_file
from server.config import ConfigError, OfficeConfig, load_config
from server.demo import demo_config
from server.main import default_db_url
from server.store import Store


def load_office(args: argparse.Namespace) -> OfficeConfig:
    if args.demo == bool(args.config):
        raise ConfigError("give --config office.toml or --demo")
    return demo_config() if args.demo else load_config(args.config)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_office(args)
    except ConfigError as exc:
        print(f"antrean bookings: {exc}", file=sys.stderr)
        return 2
    try:
        store = Store(args.db or default_db_url(config.demo))
    except ValueError as exc:
        print(f"antrean bookings: --db: {exc}", file=sys.stderr)
        return 2
    codes = [s.code for s in config.office.services]

    async def work() -> tuple[int, list[str]]:
        await store.open()
        try:
            return await import_file(store, Path(args.file), codes)
        finally:
            await store.close()

    try:
        added, conflicts = asyncio.run(work())
    except (CsvError, OSError) as exc:
        print(f"antrean bookings: {args.file}: {exc}", file=sys.stderr)
        return 2
    print(f"{args.file}: {added} new booking(s) imported")
    for code in conflicts:
        print(f"  {code}: already booked with other details; left as it was "
              "(cancel it first to change it)", file=sys.stderr)
    return 1 if conflicts else 0
