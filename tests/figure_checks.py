"""What a figure test asserts beyond "it rendered": the data, the labels, the annotated value.

A figure that drew nothing, the wrong series, or a stale title still renders to a
PNG; these helpers read what is on the axes so that a test can tell.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lstm_edu.figures.style import figure_png


def rendered(fig) -> Figure:
    assert isinstance(fig, Figure) and figure_png(fig).startswith(b"\x89PNG")
    return fig


def lines(fig, label_start: str = "") -> list:
    """Every Line2D on the figure whose label starts with ``label_start``."""
    return [line for ax in fig.axes for line in ax.get_lines()
            if str(line.get_label()).startswith(label_start)]


def one_line(fig, label_start: str):
    found = lines(fig, label_start)
    assert len(found) == 1, [str(x.get_label()) for x in lines(fig)]
    return found[0]


def ydata(line) -> np.ndarray:
    return np.asarray(line.get_ydata(), dtype=float)


def same(a, b) -> bool:
    """Equal as drawn: NaN (a gap in the line) matches NaN."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True)


def titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes]


# --- labels that cover data, markers cut by the axes --------------------------------------------
#
# Checked in display coordinates after a draw, on the axes that show data (axes drawn with
# their axis on; diagrams, drawn with it off, place labels on their shapes by design).
# The data: the points of every line (its vertices and points every 2 px along its segments,
# with its markers' radius), scatter points (with theirs) and bars.

def _drawn(fig: Figure):
    """Draw ``fig`` (so that every extent is final) and return its renderer."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _marker_radius_px(line, fig: Figure) -> float:
    marker = line.get_marker()
    if marker in (None, "None", "none", "", " ") or not line.get_markersize():
        return 0.0
    return line.get_markersize() * fig.dpi / 72 / 2


def _data_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.axison and ax.get_visible()]


def _segments_px(line) -> np.ndarray:
    """A line's vertices in display px, with points every 2 px along its segments."""
    xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
    finite = np.all(np.isfinite(xy), axis=1)
    if line.get_linestyle() in ("None", "", " ", "none"):
        return xy[finite]
    out = []
    for a, b, ok in zip(xy[:-1], xy[1:], finite[:-1] & finite[1:]):  # NaN: a gap, no segment
        if ok:
            n = int(min(np.hypot(*(b - a)) / 2.0, 4000)) + 1
            out.append(a + (b - a) * np.linspace(0, 1, n + 1)[:, None])
    out.append(xy[finite])
    return np.concatenate(out) if out else np.empty((0, 2))


def _inside(pts: np.ndarray, box, pad: float = 0.0) -> np.ndarray:
    return ((pts[:, 0] > box.x0 - pad) & (pts[:, 0] < box.x1 + pad)
            & (pts[:, 1] > box.y0 - pad) & (pts[:, 1] < box.y1 + pad))


def _label_boxes(fig: Figure, renderer) -> list[tuple[str, object]]:
    """(what, display box) of every legend and every text or annotation drawn on data axes
    (an annotation's text and its frame, not its arrow, which points at the data on purpose)."""
    from matplotlib.text import Text

    boxes = []
    for leg in list(fig.legends) + [ax.get_legend() for ax in fig.axes]:
        if leg is not None and leg.get_visible():
            labels = ", ".join(t.get_text() for t in leg.get_texts())[:60]
            boxes.append((f"legend ({labels})", leg.get_window_extent(renderer)))
    for ax in _data_axes(fig):
        for text in ax.texts:
            if not text.get_visible() or not text.get_text().strip():
                continue
            box = Text.get_window_extent(text, renderer)  # the text alone, without an arrow
            frame = text.get_bbox_patch()
            if frame is not None:
                box = frame.get_window_extent(renderer)
            boxes.append((f"text {text.get_text()[:50]!r}", box))
    return boxes


def covered_data(fig: Figure) -> list[str]:
    """Every legend, text or annotation box that lies over drawn data (empty when none)."""
    from matplotlib.patches import Rectangle

    renderer = _drawn(fig)
    found = []
    for what, raw in _label_boxes(fig, renderer):
        box = raw.padded(-1.0)  # a box touching a line's stroke is beside it, not over it
        if box.width <= 0 or box.height <= 0:
            continue
        for ax in _data_axes(fig):
            clip = ax.get_window_extent(renderer)
            if not clip.overlaps(box):
                continue
            where = f"{ax.get_title()!r}" if ax.get_title() else "an axes"
            for line in ax.get_lines():
                if not line.get_visible():
                    continue
                pts = _segments_px(line)
                pts = pts[_inside(pts, clip, pad=0.5)]
                # A stroke or a marker reaching into the box covers it too.
                reach = max(_marker_radius_px(line, fig), line.get_linewidth() * fig.dpi / 144)
                if _inside(pts, box, pad=reach).any():
                    found.append(f"{what} covers line {line.get_label()!r} in {where}")
            for coll in ax.collections:
                offsets = np.asarray(coll.get_offsets(), dtype=float)
                if not coll.get_visible() or len(offsets) == 0 or not hasattr(coll, "get_sizes"):
                    continue
                sizes = coll.get_sizes()
                r = float(np.sqrt(sizes.max()) * fig.dpi / 72 / 2) if len(sizes) else 0.0
                pts = coll.get_offset_transform().transform(offsets)
                pts = pts[_inside(pts, clip, pad=0.5)]
                if _inside(pts, box, pad=r).any():
                    found.append(f"{what} covers points {coll.get_label()!r} in {where}")
            for patch in ax.patches:
                if isinstance(patch, Rectangle) and patch.get_visible():
                    ext = patch.get_window_extent(renderer)
                    if ext.width > 0 and ext.height > 0 and ext.overlaps(box):
                        found.append(f"{what} covers a bar ({patch.get_label()}) in {where}")
                        break
    return found


def clipped_markers(fig: Figure) -> list[str]:
    """Markers cut by their axes' edge: centre within a marker radius of it, clipping on."""
    renderer = _drawn(fig)
    found = []
    for ax in _data_axes(fig):
        clip = ax.get_window_extent(renderer)
        where = f"{ax.get_title()!r}" if ax.get_title() else "an axes"
        series = []
        for line in ax.get_lines():
            r = _marker_radius_px(line, fig)
            if r > 0 and line.get_visible() and line.get_clip_on():
                xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
                series.append((f"line {line.get_label()!r}", xy, np.full(len(xy), r)))
        for coll in ax.collections:
            offsets = np.asarray(coll.get_offsets(), dtype=float)
            if (not coll.get_visible() or not coll.get_clip_on() or len(offsets) == 0
                    or not hasattr(coll, "get_sizes") or len(coll.get_sizes()) == 0):
                continue
            r = np.sqrt(np.resize(coll.get_sizes(), len(offsets))) * fig.dpi / 72 / 2
            series.append((f"points {coll.get_label()!r}",
                           coll.get_offset_transform().transform(offsets), r))
        for what, xy, r in series:
            ok = np.all(np.isfinite(xy), axis=1)
            xy, r = xy[ok], r[ok]
            # A centre inside the axes but nearer an edge than its radius, or outside but
            # nearer than its radius: part of the marker drawn, part cut off.
            near = ((xy[:, 0] > clip.x0 - r) & (xy[:, 0] < clip.x1 + r)
                    & (xy[:, 1] > clip.y0 - r) & (xy[:, 1] < clip.y1 + r))
            cut = near & ((xy[:, 0] - clip.x0 < r - 0.5) | (clip.x1 - xy[:, 0] < r - 0.5)
                          | (xy[:, 1] - clip.y0 < r - 0.5) | (clip.y1 - xy[:, 1] < r - 0.5))
            if cut.any():
                found.append(f"{int(cut.sum())} marker(s) of {what} in {where} cut by the "
                             f"axes' edge")
    return found
