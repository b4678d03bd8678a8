"""Pictures a person would rather look at: one way to draw a PNG with matplotlib, off-screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["save_png"]


def save_png(
    path: Path, draw: Callable[[Any], None], *, panels: int = 1, title: str | None = None,
    size: tuple[float, float] | None = None,
) -> Path:
    """Draw ``panels`` axes side by side with ``draw(axes_list)`` and write them to ``path`` as a PNG
    (``size`` in inches; by default 6 x 3.5 for one panel, 3.2 wide per panel for more)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = size or (6 if panels == 1 else 3.2 * panels, 3.5)
    figure, axes = plt.subplots(1, panels, figsize=size, squeeze=False)
    try:
        draw(list(axes[0]))
        if title:
            figure.suptitle(title)
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=100)
    finally:
        plt.close(figure)
    return path
