"""The course's one gap slider: the same values and steps wherever the gap is a parameter."""

import ipywidgets as widgets
import pytest

from lstm_edu.figures.widgets import CONTROL_WIDTH, GAP_OPTIONS, gap_slider


def test_gap_slider_offers_exactly_the_course_gaps():
    slider = gap_slider()
    assert isinstance(slider, widgets.SelectionSlider)
    assert tuple(slider.options) == (2, 5, 10, 20, 50, 100, 200, 400) == GAP_OPTIONS
    assert slider.value == 50 and slider.description == "gap T"
    assert slider.layout.width == CONTROL_WIDTH  # styled like every other control


def test_gap_slider_takes_a_value_and_a_label():
    slider = gap_slider(200, description="gap (steps)")
    assert slider.value == 200 and slider.description == "gap (steps)"
    assert tuple(slider.options) == GAP_OPTIONS  # the value never changes the steps
    # Keyboard steps walk the list: the index after 200 is 400, not 201.
    assert slider.options[slider.index + 1] == 400


@pytest.mark.parametrize("bad, err, match", [
    (99, ValueError, r"one of \(2, 5, 10"),
    (1000, ValueError, "one of"),
    (50.0, TypeError, "must be an int"),
    ("50", TypeError, "must be an int"),
    (True, TypeError, "must be an int"),
])
def test_gap_slider_rejects_a_gap_off_the_list(bad, err, match):
    with pytest.raises(err, match=match):
        gap_slider(bad)


def test_gap_slider_has_no_range_arguments():
    with pytest.raises(TypeError):
        gap_slider(50, 2, 400)  # the old (value, low, high) form: one range for the course
    with pytest.raises(TypeError, match="description"):
        gap_slider(50, description="")
