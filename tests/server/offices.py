"""The offices the server tests run: the demo office (with its secrets hashed
at a cost the tests can afford), plus a clerk, or with flood limits on."""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
from typing import Any

from server.config import DeviceGrant, Limits, OfficeConfig, StaffMember
from server.demo import DEMO_PIN, DEMO_TOKENS
from tests.support import cached_demo_config

CLERK_USERNAME = "clerk"
CLERK_PIN = "5678"
_QUICK_SALT = b"antrean-tests-16"


def quick_hash(secret: str) -> str:
    """A secret stored as `hash_secret` stores it, at a tiny scrypt cost.
    `verify_secret` reads the cost from the hash, and these tests connect
    hundreds of devices: at the real cost that is a minute of scrypt."""
    digest = hashlib.scrypt(secret.encode(), salt=_QUICK_SALT, n=16, r=8, p=1, dklen=32)
    salt_text = base64.b64encode(_QUICK_SALT).decode()
    digest_text = base64.b64encode(digest).decode()
    return f"scrypt$16$8$1${salt_text}${digest_text}"


@functools.cache
def demo_office() -> OfficeConfig:
    """The demo office exactly, except for the cost of its hashes."""
    demo = cached_demo_config()
    devices = tuple(DeviceGrant(grant.role, quick_hash(DEMO_TOKENS[grant.role]), grant.device)
                    for grant in demo.devices)
    staff = tuple(dataclasses.replace(member, pin_hash=quick_hash(DEMO_PIN))
                  for member in demo.staff)
    return dataclasses.replace(demo, devices=devices, staff=staff)


@functools.cache
def config_with_clerk() -> OfficeConfig:
    """The demo office plus a member of staff who may work a counter but is
    not a supervisor."""
    demo = demo_office()
    clerk = StaffMember(CLERK_USERNAME, "Petugas Loket", ("counter",), quick_hash(CLERK_PIN))
    return dataclasses.replace(demo, staff=(*demo.staff, clerk))


def config_with_limits(**limits: Any) -> OfficeConfig:
    """The demo office with flood limits switched on."""
    return dataclasses.replace(demo_office(), limits=Limits(**limits))
