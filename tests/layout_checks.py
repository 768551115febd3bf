"""Layout checks for notebooks 12-13's figures: nothing drawn over data, no marker cut in half.

Read from the drawn figure in display pixels, as the learner sees it. (The widgets
helper is adding a course-wide check of the same class to ``figure_checks.py``.)
"""

import numpy as np
from matplotlib.legend import Legend
from matplotlib.text import Text

from lstm_edu.figures.style import figure_png


def _renderer(fig):
    figure_png(fig)  # lays the figure out and draws it
    return fig.canvas.get_renderer()


def line_points(ax, per_segment: int = 25) -> np.ndarray:
    """Pixels along every visible line of ``ax``, segments filled in, (N, 2)."""
    pts = []
    for line in ax.get_lines():
        if not line.get_visible() or line.get_linestyle() in ("None", "", " "):
            xy = line.get_transform().transform(line.get_xydata())
            pts.extend(p for p in xy if np.isfinite(p).all())
            continue
        xy = line.get_transform().transform(line.get_xydata())
        for a, b in zip(xy[:-1], xy[1:]):
            if np.isfinite(a).all() and np.isfinite(b).all():
                pts.extend(a + (b - a) * s for s in np.linspace(0, 1, per_segment))
    return np.array(pts).reshape(-1, 2)


def boxes_over_lines(fig) -> list[str]:
    """Every legend or text inside an axes whose box holds a point of a drawn line."""
    renderer = _renderer(fig)
    hits = []
    for ax in fig.axes:
        pts = line_points(ax)
        boxes = [c for c in ax.get_children() if isinstance(c, (Legend, Text))
                 and c.get_visible() and c is not ax.title
                 and c not in (ax._left_title, ax._right_title)]
        for box in boxes:
            if isinstance(box, Text) and not box.get_text():
                continue
            bbox = box.get_window_extent(renderer)
            inside = ((pts[:, 0] > bbox.x0) & (pts[:, 0] < bbox.x1)
                      & (pts[:, 1] > bbox.y0) & (pts[:, 1] < bbox.y1)) if len(pts) else []
            if np.any(inside):
                name = "legend" if isinstance(box, Legend) else repr(box.get_text())
                hits.append(f"{name} covers {int(np.sum(inside))} line points")
    return hits


def clipped_markers(fig) -> list[str]:
    """Every marker of a line that the axes edge cuts (or that falls outside the axes)."""
    _renderer(fig)
    hits = []
    for ax in fig.axes:
        box = ax.get_window_extent()
        for line in ax.get_lines():
            if line.get_marker() in (None, "None", "", " ") or not line.get_visible():
                continue
            # pixels from the centre to the outside of the marker's edge line
            r = (line.get_markersize() + line.get_markeredgewidth()) * fig.dpi / 72 / 2
            xy = line.get_transform().transform(line.get_xydata())
            for x, y in xy[np.isfinite(xy).all(axis=1)]:
                if not (box.x0 + r <= x <= box.x1 - r and box.y0 + r <= y <= box.y1 - r):
                    hits.append(f"{line.get_label()} marker at ({x:.0f}, {y:.0f}) px cut")
    return hits
