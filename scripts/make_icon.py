"""Draw the app's page icon (assets/icon.png): served by the app itself, so no page load asks a font
server for it (a Material icon as page_icon made every visitor's browser fetch it from Google).

Two adults and a child in white on the app's primary blue. Run: python scripts/make_icon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "assets" / "icon.png"
BLUE = (0, 114, 178, 255)  # primaryColor in .streamlit/config.toml
WHITE = (255, 255, 255, 255)
SIZE, SCALE = 64, 8  # drawn 8× larger and scaled down for smooth edges


def _figure(draw: ImageDraw.ImageDraw, cx: float, top: float, height: float) -> None:
    """A person: a round head and a rounded body, ``height`` tall, centred on ``cx``."""
    s = SCALE
    head = height * 0.26
    draw.ellipse([(cx - head / 2) * s, top * s, (cx + head / 2) * s, (top + head) * s], fill=WHITE)
    body_top = top + head * 1.15
    width = height * 0.34
    draw.rounded_rectangle(
        [(cx - width / 2) * s, body_top * s, (cx + width / 2) * s, (top + height) * s],
        radius=width * 0.4 * s,
        fill=WHITE,
    )


def main() -> None:
    big = Image.new("RGBA", (SIZE * SCALE, SIZE * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.rounded_rectangle([0, 0, SIZE * SCALE - 1, SIZE * SCALE - 1], radius=14 * SCALE, fill=BLUE)
    _figure(draw, 16, 9, 46)
    _figure(draw, 48, 9, 46)
    _figure(draw, 32, 31, 24)
    big.resize((SIZE, SIZE), Image.LANCZOS).save(OUT, optimize=True)
    print(f"{OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
