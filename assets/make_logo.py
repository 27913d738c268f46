"""Draws assets/logo.png: the neutral office emblem the kiosk shows when an office
has no logo of its own (a queue ticket in a ring). Run: python assets/make_logo.py"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 512  # drawn large, then scaled down once for smooth edges
OUTPUT = 256
NAVY = (11, 37, 69, 255)
GOLD = (255, 193, 7, 255)
WHITE = (255, 255, 255, 255)
BLUE = (10, 88, 202, 255)


def draw_logo() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=GOLD)
    draw.ellipse((34, 34, SIZE - 34, SIZE - 34), fill=NAVY)
    # The ticket: a white card with a punched notch on each side and a torn-off stub.
    left, top, right, bottom = 150, 118, 362, 394
    draw.rounded_rectangle((left, top, right, bottom), radius=22, fill=WHITE)
    notch_y = 300
    for x in (left, right):
        draw.ellipse((x - 18, notch_y - 18, x + 18, notch_y + 18), fill=NAVY)
    for x in range(left + 28, right - 20, 26):
        draw.line((x, notch_y, x + 12, notch_y), fill=NAVY, width=5)
    # The number on the ticket, as three bold bars of falling length, and a stub line.
    for i, width in enumerate((150, 118, 84)):
        y = 160 + i * 40
        draw.rounded_rectangle((256 - width // 2, y, 256 + width // 2, y + 20), radius=10,
                               fill=BLUE if i == 0 else NAVY)
    draw.rounded_rectangle((206, 334, 306, 352), radius=9, fill=GOLD)
    return image.resize((OUTPUT, OUTPUT), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    target = Path(__file__).with_name("logo.png")
    draw_logo().save(target, optimize=True)
    print(f"wrote {target} ({target.stat().st_size} bytes)")
