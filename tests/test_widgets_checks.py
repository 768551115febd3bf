"""The slider plumbing and the exercise checkers."""

import base64

import ipywidgets as widgets
import pytest

from lstm_edu import checks
from lstm_edu.figures.style import new_figure
from lstm_edu.figures.widgets import build_interactive, split_result


def line(k):
    fig, ax = new_figure()
    ax.plot(range(5), [k * i for i in range(5)])
    return fig


def test_build_interactive_draws_first_and_redraws_on_change():
    calls = []

    def fn(k):
        calls.append(k)
        return line(k)

    slider = widgets.IntSlider(value=2, min=0, max=5)
    box, png = build_interactive(fn, k=slider)
    assert png.startswith(b"\x89PNG") and calls == [2]
    slider.value = 5
    assert calls == [2, 5]
    assert isinstance(box, widgets.VBox)


def test_build_interactive_rejects_bad_arguments():
    with pytest.raises(TypeError, match="fn must be callable, got int"):
        build_interactive(3, k=widgets.IntSlider())
    with pytest.raises(ValueError, match="at least one control"):
        build_interactive(line)
    with pytest.raises(TypeError, match="control 'k' must be an ipywidgets value widget"):
        build_interactive(line, k=5)
    with pytest.raises(TypeError, match=r"must return a Figure or \(Figure, str\), got int"):
        split_result(3)


def test_every_reference_solution_passes_and_wrong_answers_get_hints(capsys):
    checks._load_all()
    assert checks.EXERCISES, "no exercises registered"
    for key, exercise in checks.EXERCISES.items():
        assert checks.judge(key, checks.solution(key), raise_errors=True) is None, key
        assert exercise.wrong, f"{key} lists no wrong answers to test"
        for wrong in exercise.wrong:
            hint = checks.judge(key, wrong, raise_errors=True)  # a crash is a failure here
            assert isinstance(hint, str) and hint, (key, wrong)
        capsys.readouterr()
        assert checks.check(key, ...) is None
        assert capsys.readouterr().out.startswith("Not yet. Hint: No answer yet")
        checks.check(key, checks.solution(key))
        assert capsys.readouterr().out.startswith("Right.")


def test_a_crashing_judge_is_friendly_to_learners_and_loud_in_tests(monkeypatch, capsys):
    def crash(answer):
        raise ZeroDivisionError("judge bug")

    exercise = checks.get("00-weight-shape")
    monkeypatch.setitem(checks.EXERCISES, "00-weight-shape",
                        checks.Exercise(exercise.key, exercise.prompt, exercise.solution, crash,
                                        exercise.wrong))
    hint = checks.judge("00-weight-shape", (3, 5))
    assert hint.startswith("That answer could not be read (ZeroDivisionError: judge bug)")
    checks.check("00-weight-shape", (3, 5))
    assert capsys.readouterr().out.startswith("Not yet. Hint: That answer could not be read")
    with pytest.raises(ZeroDivisionError, match="judge bug"):
        checks.judge("00-weight-shape", (3, 5), raise_errors=True)
    with pytest.raises(TypeError, match="raise_errors must be True or False, got str"):
        checks.judge("00-weight-shape", (3, 5), raise_errors="yes")


def test_check_survives_answers_of_any_type():
    for odd in ["text", object(), [1, [2]], {"a": 1}, float("nan")]:
        assert isinstance(checks.judge("00-weight-shape", odd), str)


def test_unknown_exercise_is_named():
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        checks.get("nope")


def test_fallback_bundle_carries_the_widget_and_the_png():
    from lstm_edu.figures.style import figure_png
    from lstm_edu.figures.widgets import fallback_bundle

    box = widgets.VBox([widgets.IntSlider()])
    png = figure_png(line(1))
    bundle = fallback_bundle(box, png)
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == box.model_id
    assert base64.b64decode(bundle["image/png"]) == png
    with pytest.raises(TypeError, match="box must be an ipywidgets Widget, got str"):
        fallback_bundle("box", png)
    with pytest.raises(ValueError, match="png must be the bytes of a PNG image"):
        fallback_bundle(box, b"GIF89a")


def test_widget_check_answers_and_has_a_text_fallback():
    from lstm_edu.notebook import widget_check

    box = widget_check()
    slider, status = box.children
    slider.value = 4
    assert "Widgets work" in status.value and "4" in status.value
    assert "runs in JupyterLab" in box._repr_mimebundle_()["text/plain"]


def test_unlabelled_controls_get_their_names():
    slider = widgets.IntSlider(value=1, min=0, max=3)
    build_interactive(line, k=slider)
    assert slider.description == "k"


def test_guarded_click_reports_errors_and_reenables_the_button(capsys):
    from lstm_edu.figures.widgets import on_click_guarded

    button, out, seen = widgets.Button(), widgets.Output(), []

    def action():
        seen.append(button.disabled)
        raise RuntimeError("boom")

    on_click_guarded(button, out, action)
    button.click()
    assert seen == [True] and button.disabled is False
    assert "training failed: RuntimeError: boom" in capsys.readouterr().out


def test_controls_get_full_labels_and_wide_tracks():
    from lstm_edu.figures.widgets import CONTROL_WIDTH, controls_row

    lr = widgets.FloatLogSlider(value=1e-2, base=10, min=-4, max=-0.5, description="learning rate")
    row = controls_row(lr, widgets.Checkbox(description="negative"))
    assert lr.style.description_width == "initial"  # "learning rate", never "learning r..."
    assert lr.layout.width == CONTROL_WIDTH and not row.children[1].layout.width
    # The gap slider's own tests: tests/test_gap_slider.py.


def test_redraw_serves_a_value_seen_before_from_its_png_and_shows_it_at_half_its_pixels():
    from lstm_edu.figures.style import PNG_SCALE, png_size
    from lstm_edu.figures.widgets import png_image, redraw

    calls = []

    def fn(k):
        calls.append(k)
        return line(k)

    pool, timings = {}, {}
    first, _ = redraw(fn, {"k": 1}, pool, timings=timings)
    assert not timings["cached"] and calls == [1]
    again, _ = redraw(fn, {"k": 1}, pool, timings=timings)
    assert again == first and timings["cached"] and calls == [1]
    redraw(fn, {"k": 2}, pool)
    assert calls == [1, 2]
    image = png_image(first)
    assert image.width * PNG_SCALE == png_size(first)[0]


def test_a_reused_slider_figure_draws_what_a_fresh_one_draws():
    """Moving back and forth (across same_sin's periods, T's axes, the gap's x axis) gives the
    same pixels."""
    from lstm_edu.figures.feedforward import plot_same_sin
    from lstm_edu.figures.gates import cell_update_view
    from lstm_edu.figures.lab import plot_flow
    from lstm_edu.figures.sequences import plot_rnn_unrolled
    from lstm_edu.figures.variants import plot_forget_retention
    from lstm_edu.figures.widgets import redraw

    moves = [(plot_same_sin, [{"t": 1.0}, {"t": 20.0}, {"t": 1.5}, {"t": 21.0}, {"t": 1.0}]),
             (plot_forget_retention, [{"T": 100}, {"T": 2000}, {"T": 50, "bias": 3.0},
                                      {"T": 100}]),
             (plot_rnn_unrolled, [{"T": 5, "t": 2}, {"T": 7, "t": 7}, {"T": 5, "t": 4},
                                  {"T": 5, "t": 2}]),
             (cell_update_view, [{"f": 0.5, "i": 0.5}, {"f": 0.1, "i": 0.9}]),
             (plot_flow, [{"T": 5, "hidden_size": 8}, {"T": 2, "hidden_size": 8},  # same y
                          {"T": 2, "hidden_size": 16}, {"T": 50, "hidden_size": 8}])]
    for fn, values in moves:
        pool = {}
        for v in values:
            live, _ = redraw(fn, v, pool)
            fresh, _ = redraw(fn, v, {})  # a new panel: built from nothing
            assert live == fresh, (fn.__name__, v)


def test_figure_png_holds_the_canvas_pixels_exactly():
    """The hand-rolled PNG encoder (rows unfiltered, zlib) decodes, with Pillow, to the very
    pixels matplotlib drew: live and stored encodings alike."""
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image as PILImage

    from lstm_edu.figures.style import PNG_SCALE, figure_png, new_figure

    fig, ax = new_figure(3, 2)
    ax.plot([0, 1, 2], [0, 1, 0], color="tab:orange")
    ax.set_title("pixels")
    for live in (True, False):
        png = figure_png(fig, live=live)
        fig.dpi *= PNG_SCALE
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        drawn = np.asarray(canvas.buffer_rgba())[:, :, :3]
        fig.dpi /= PNG_SCALE
        assert np.array_equal(np.asarray(PILImage.open(io.BytesIO(png)).convert("RGB")), drawn)
