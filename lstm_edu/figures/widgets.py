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

import ipywidgets as widgets
from IPython.display import Image, display
from matplotlib.figure import Figure

from .style import figure_png


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

    def render(**values):
        fig, text = split_result(fn(**values))
        png = figure_png(fig)
        first.setdefault("png", png)
        if text:
            print(text)
        display(Image(data=png, format="png"))

    out = widgets.interactive_output(render, controls)
    box = widgets.VBox([controls_row(*controls.values()), out])
    return box, first["png"]


def show_interactive(fn, **controls) -> None:
    """Display ``fn`` under its sliders, with the default drawing as a static fallback."""
    display_with_fallback(*build_interactive(fn, **controls))


# --- shared by every panel (sliders here, train buttons in sincos_plots and lab) ---

def controls_row(*items) -> widgets.HBox:
    """Controls side by side, wrapping onto new lines in a narrow window."""
    return widgets.HBox(list(items), layout=widgets.Layout(flex_flow="row wrap"))


def show_png(out: widgets.Output, fig: Figure) -> None:
    """Replace what ``out`` shows with ``fig`` as a PNG."""
    from IPython.display import clear_output

    with out:
        clear_output(wait=True)
        display(Image(data=figure_png(fig), format="png"))


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
        raise ValueError("png must be the bytes of a PNG image (see plots.figure_png)")
    bundle = box._repr_mimebundle_()
    bundle["image/png"] = base64.b64encode(png).decode("ascii")
    return bundle


def display_with_fallback(box: widgets.Widget, png: bytes) -> None:
    """Show ``box``; JupyterLab renders the live widget, GitHub the PNG beside it."""
    display(fallback_bundle(box, png), raw=True)
