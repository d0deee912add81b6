"""Draws pleo_connector_queue_job's icon: Pleo Connector's icon with a queue
(three jobs in a row) in its lower right corner, so the Apps list tells the two
modules apart. Needs Pillow (installed with Odoo).

    python scripts/gen_glue_icon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "pleo_connector" / "static" / "description" / "icon.png"
TARGET = ROOT / "pleo_connector_queue_job" / "static" / "description" / "icon.png"


def main():
    icon = Image.open(SOURCE).convert("RGBA")
    size = icon.width  # 128
    draw = ImageDraw.Draw(icon)
    # A white badge with a dark outline...
    box = (size * 0.52, size * 0.52, size * 0.97, size * 0.97)
    draw.rounded_rectangle(
        box,
        radius=size * 0.09,
        fill=(255, 255, 255, 255),
        outline=(40, 40, 40, 255),
        width=max(2, size // 48),
    )
    # ...holding three queued jobs, the first one running (filled).
    left, top, right, bottom = box
    pad = size * 0.07
    bar_h = (bottom - top - 2 * pad) / 5
    for i in range(3):
        y = top + pad + i * 2 * bar_h
        draw.rounded_rectangle(
            (left + pad, y, right - pad, y + bar_h),
            radius=bar_h / 2,
            fill=(40, 40, 40, 255) if i == 0 else (150, 150, 150, 255),
        )
    icon.save(TARGET, optimize=True)
    print(TARGET)


if __name__ == "__main__":
    main()
