#!/usr/bin/env bash
# Installs what Antrean needs on a fresh Debian/Ubuntu machine, then stops:
#   - the system libraries Qt needs to open windows and play sound
#     (only the ones missing; needs root or sudo),
#   - a virtual environment in .venv with Antrean and its test tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  libpulse0 libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0
  libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-randr0 libxcb-render-util0 libxcb-xinerama0 libxcb-image0 libglib2.0-0
  fonts-dejavu-core espeak-ng chromium poppler-utils
)

if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "Not a Debian-like system: install Qt's runtime libraries, PulseAudio's libpulse" \
       "and (optionally) espeak-ng with your package manager." >&2
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Antrean needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.antrean-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi
