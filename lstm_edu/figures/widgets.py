"""Sliders around pure figure functions, with a static fallback.

The pattern for every "try it" cell::

    show_interactive(plot_fn, k=widgets.IntSlider(value=3, min=1, max=10))

``plot_fn(**values)`` is a pure function in ``lstm_edu`` that returns a
Figure, or ``(Figure, text)``; tests call it directly. Here it is redrawn
under the sliders each time one moves (core ipywidgets, an ``Output`` widget,
nothing but inline PNGs).

The first drawing (at the default values) is also stored in the cell as a
plain PNG next to the widget, in the same output. A live JupyterLab shows the
widget; GitHub, or any viewer without a kernel, shows the PNG. So a figure is
there before anyone touches a slider, wherever the notebook is read.
"""

from __future__ import annotations

import base64
import json
import os
import time

import ipywidgets as widgets
from IPython.display import Image, display
from matplotlib.figure import Figure

from .style import figure_png, live_figures, png_display_width

# Every control: its label at full width (never "learning r..."), a track long enough to
# aim with (ipywidgets' default leaves about 120 px of track).
CONTROL_WIDTH = "460px"
PNG_CACHE_SIZE = 64  # PNGs kept per slider panel, about 60-150 KB each


def split_result(result) -> tuple[Figure, str | None]:
    """Accept a Figure or (Figure, text) from a figure function."""
    if isinstance(result, Figure):
        return result, None
    if (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Figure)
            and isinstance(result[1], str)):
        return result
    raise TypeError(
        f"a slider function must return a Figure or (Figure, str), got {type(result).__name__}"
    )


def build_interactive(fn, **controls) -> tuple[widgets.VBox, bytes]:
    """Wire ``controls`` to ``fn``; return the widget box and the first PNG."""
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if not controls:
        raise ValueError("give at least one control, e.g. k=widgets.IntSlider(...)")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise TypeError(
                f"control {name!r} must be an ipywidgets value widget (a slider, dropdown, ...), "
                f"got {type(control).__name__}"
            )
        if not control.description:
            control.description = name  # an unlabelled slider is a riddle
    first = {}
    pool: dict = {}

    def render(**values):
        t_in, timings = time.time(), {}
        png, text = redraw(fn, values, pool, live="png" in first, timings=timings)
        first.setdefault("png", png)
        if text:
            print(text)
        display(png_image(png))
        log_redraw(fn, values, t_in, timings)

    out = widgets.interactive_output(render, controls)
    box = widgets.VBox([controls_row(*controls.values()), out])
    return box, first["png"]


def log_redraw(fn, values: dict, t_in: float, timings: dict) -> None:
    """If $LSTM_EDU_REDRAW_LOG names a file, append this move's kernel-side times to it.

    The browser test sets it: with the key press and paint times it reads in the page (the
    same machine's clock), a slider's latency splits into before the kernel, in it (figure,
    PNG, sending) and after it (the browser drawing the image).
    """
    path = os.environ.get("LSTM_EDU_REDRAW_LOG")
    if not path:
        return
    record = {"fn": getattr(fn, "__name__", repr(fn)), "values": repr(values), "t_in": t_in,
              "t_out": time.time(), **{k: v for k, v in timings.items()}}
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


def redraw(fn, values: dict, pool: dict | None = None, live: bool = True,
           timings: dict | None = None) -> tuple[bytes, str | None]:
    """One slider move: ``fn(**values)`` drawn to PNG bytes, and its text (or None).

    What the widget runs, and what ``benchmarks/bench.py`` times. ``pool`` keeps
    the figures of the previous moves for ``fn`` to redraw on (see
    ``style.live_figures`` and ``style.reuse``) and the PNGs of values already
    shown. ``live``: the quick PNG encoding. ``timings``, if given, is filled
    with ``cached`` (bool), ``figure_s`` and ``png_s``.
    """
    t0 = time.perf_counter()
    if timings is not None:
        timings.update(cached=False, figure_s=0.0, png_s=0.0)
    if not isinstance(values, dict):
        raise TypeError(f"values must be a dict of control values, got {type(values).__name__}")
    pool = {} if pool is None else pool
    # A value seen before is shown again from its PNG: menus and stepped sliders have few.
    try:
        key = ("png", live, tuple(sorted(values.items())))
        hash(key)
    except TypeError:  # an unhashable value (an array): draw it every time
        key = None
    cache = pool.setdefault("pngs", {})
    if key is not None and key in cache:
        if timings is not None:
            timings["cached"] = True
        return cache[key]
    with live_figures(pool):
        fig, text = split_result(fn(**values))
        t1 = time.perf_counter()
        result = figure_png(fig, live=live), text
    if timings is not None:
        timings.update(figure_s=t1 - t0, png_s=time.perf_counter() - t1)
    if key is not None:
        if len(cache) >= PNG_CACHE_SIZE:
            cache.pop(next(iter(cache)))  # the oldest
        cache[key] = result
    return result


def png_image(png: bytes) -> Image:
    """A ``figure_png`` image, shown at its displayed width (sharp on HiDPI screens)."""
    return Image(data=png, format="png", width=png_display_width(png))


def style_control(control: widgets.Widget) -> widgets.Widget:
    """Give ``control`` the course's width and an untruncated label (unless set already)."""
    style = getattr(control, "style", None)
    if style is not None and hasattr(style, "description_width") and not style.description_width:
        style.description_width = "initial"
    sized = hasattr(control, "readout") or isinstance(control, widgets.Dropdown)  # sliders, menus
    if sized and not control.layout.width:
        control.layout.width = CONTROL_WIDTH
    return control


# The course's one set of gaps (DESIGN.md): every slider whose parameter is a gap offers
# these, so 09, 11 and any later notebook step alike and a short drag never leaps 100 -> 681.
GAP_OPTIONS = (2, 5, 10, 20, 50, 100, 200, 400)


def gap_slider(value: int = 50, *, description: str = "gap T") -> widgets.SelectionSlider:
    """The course's gap slider: a stepped slider over ``GAP_OPTIONS`` (2, 5, 10, ... 400)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"value must be an int, one of {GAP_OPTIONS}, got {type(value).__name__}")
    if value not in GAP_OPTIONS:
        raise ValueError(f"value must be one of {GAP_OPTIONS}, got {value!r}")
    if not isinstance(description, str) or not description:
        raise TypeError(f"description must be a non-empty str, got {description!r}")
    return style_control(widgets.SelectionSlider(options=list(GAP_OPTIONS), value=value,
                                                 description=description))


def show_interactive(fn, **controls) -> None:
    """Display ``fn`` under its sliders, with the default drawing as a static fallback."""
    display_with_fallback(*build_interactive(fn, **controls))


# --- shared by every panel (sliders here, train buttons in sincos_plots and lab) ---

def controls_row(*items) -> widgets.HBox:
    """Controls side by side (each styled by :func:`style_control`), wrapping in a narrow window."""
    return widgets.HBox([style_control(c) for c in items],
                        layout=widgets.Layout(flex_flow="row wrap"))


def show_png(out: widgets.Output, fig: Figure) -> None:
    """Replace what ``out`` shows with ``fig`` as a PNG."""
    from IPython.display import clear_output

    with out:
        clear_output(wait=True)
        display(png_image(figure_png(fig)))


def on_click_guarded(button: widgets.Button, out: widgets.Output, action) -> None:
    """Run ``action()`` on each click, the button disabled meanwhile.

    An error is printed into ``out``: raised in a callback it would otherwise
    vanish into the server log, and the learner would see nothing happen.
    """
    def handler(_=None):
        button.disabled = True
        try:
            action()
        except Exception as err:
            with out:
                print(f"training failed: {type(err).__name__}: {err}")
        finally:
            button.disabled = False

    button.on_click(handler)


def fallback_bundle(box: widgets.Widget, png: bytes) -> dict:
    """The widget's display bundle plus ``png``, for viewers with no live kernel."""
    if not isinstance(box, widgets.Widget):
        raise TypeError(f"box must be an ipywidgets Widget, got {type(box).__name__}")
    if not isinstance(png, bytes) or not png.startswith(b"\x89PNG"):
        raise ValueError("png must be the bytes of a PNG image (see style.figure_png)")
    bundle = box._repr_mimebundle_()
    bundle["image/png"] = base64.b64encode(png).decode("ascii")
    return bundle


def display_with_fallback(box: widgets.Widget, png: bytes) -> None:
    """Show ``box``; JupyterLab renders the live widget, GitHub the PNG beside it."""
    display(fallback_bundle(box, png), raw=True,
            metadata={"image/png": {"width": png_display_width(png)}})
