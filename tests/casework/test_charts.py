import datetime
from decimal import Decimal

from casework.charts import progress_chart

D = Decimal
START = datetime.date(2026, 10, 1)


def test_baseline_values_and_target_are_placed_in_order():
    chart = progress_chart(
        baseline=D(55),
        target=D(75),
        points=[(START + datetime.timedelta(days=7), D(60)), (START + datetime.timedelta(days=21), D(68))],
        start=START,
    )
    xs = [p["x"] for p in chart["series"]]
    ys = [p["y"] for p in chart["series"]]
    assert xs == sorted(xs) and xs[0] == chart["left"] and xs[-1] == chart["right"]
    assert ys == sorted(ys, reverse=True)  # rising values are drawn higher up
    assert chart["target_y"] < min(ys)
    assert chart["top"] <= chart["target_y"] <= chart["bottom"]
    assert [p["value"] for p in chart["series"]] == [55, 60, 68]
    assert [t["label"] for t in chart["ticks"]] == [50, 55, 60, 65, 70, 75]
    assert chart["series"][0]["baseline"]


def test_nothing_to_draw_without_baseline_or_values():
    assert progress_chart(baseline=None, target=D(5), points=[], start=START) is None


def test_a_single_value_and_a_falling_goal():
    chart = progress_chart(baseline=D(6), target=D(1), points=[(START, D(6))], start=START)
    assert chart["target_y"] > chart["series"][0]["y"]  # absences: the target is lower
    assert all(chart["top"] <= t["y"] <= chart["bottom"] for t in chart["ticks"])


def test_the_x_axis_runs_to_the_target_date():
    target_date = START + datetime.timedelta(days=60)
    chart = progress_chart(
        baseline=D(55),
        target=D(75),
        points=[(START + datetime.timedelta(days=7), D(60))],
        start=START,
        target_date=target_date,
    )
    assert chart["last"] == target_date
    # The one value sits a ninth of the way along, not at the right edge.
    assert chart["series"][1]["x"] < chart["left"] + (chart["right"] - chart["left"]) / 4


def test_values_on_the_same_day_do_not_hide_each_other_or_the_baseline_label():
    day = START + datetime.timedelta(days=7)
    chart = progress_chart(
        baseline=D(55),
        target=D(75),
        points=[(START, D(55)), (day, D(60)), (day, D(61)), (day, D(60))],
        start=START,
    )
    positions = [(p["x"], p["y"]) for p in chart["series"]]
    assert len(set(positions)) == len(positions)
    base, first = chart["series"][0], chart["series"][1]
    assert first["x"] != base["x"]
    # The first value is labelled below its point, the baseline's label stays above.
    assert base["label_dy"] < 0 < first["label_dy"]
    assert all(chart["left"] <= p["x"] <= chart["right"] for p in chart["series"])


def test_values_at_the_right_edge_spread_to_the_left():
    day = START + datetime.timedelta(days=7)
    chart = progress_chart(baseline=None, target=None, points=[(START, D(1)), (day, D(2)), (day, D(2))], start=START)
    xs = [p["x"] for p in chart["series"]]
    assert len(set(xs)) == 3 and max(xs) <= chart["right"]
