"""The one chart kit (`agency/charts.py`): what it hands the browser, and what it refuses."""

from __future__ import annotations

import json
import math

import pytest

from agency import charts


def test_a_chart_is_plain_json_with_labels_as_text_and_gaps_as_null():
    spec = charts.chart(
        title="每日回复率",
        labels=["11-01", "11-02", "11-03"],
        series_list=[charts.series("回复率", [0.87654321, None, math.nan])],
        axes=[charts.axis(percent=True, top=1.0)],
        target=0.8,
        target_label="目标 80%",
        band=(0.6, 0.8),
    )
    assert json.loads(json.dumps(spec)) == spec
    assert spec["series"][0]["values"] == [0.8765, None, None]  # NaN is a gap, not a broken chart
    assert spec["target"] == {"value": 0.8, "label": "目标 80%"}
    assert spec["band"] == [0.6, 0.8]
    assert spec["axes"][0]["percent"] is True and spec["axes"][0]["max"] == 1.0
    assert spec["zoom"] is False and charts.has_data(spec)


def test_zoom_is_offered_once_a_chart_has_more_than_two_weeks_of_points():
    labels = [str(n) for n in range(15)]
    assert charts.chart(title="", labels=labels, series_list=[charts.series("x", [1] * 15)])["zoom"] is True
    assert charts.chart(title="", labels=labels[:14], series_list=[charts.series("x", [1] * 14)])["zoom"] is False
    horizontal = charts.chart(title="", labels=labels, series_list=[charts.series("x", [1] * 15, kind="bar")],
                              horizontal=True)
    assert horizontal["zoom"] is False


def test_an_empty_chart_says_so():
    spec = charts.chart(title="", labels=["a", "b"], series_list=[charts.series("x", [None, None])])
    assert not charts.has_data(spec)


def test_lazy_labels_are_resolved_to_text():
    class Lazy:
        def __str__(self) -> str:
            return "咨询量"

    spec = charts.chart(title=Lazy(), labels=[Lazy()], series_list=[charts.series(Lazy(), [3], marks=[Lazy()])])
    assert spec["title"] == spec["labels"][0] == spec["series"][0]["name"] == spec["series"][0]["marks"][0] == "咨询量"


@pytest.mark.parametrize("bad", [
    lambda: charts.chart(title="", labels=["a", "b"], series_list=[charts.series("x", [1])]),
    lambda: charts.series("x", [1, 2], colors=["peak"]),
    lambda: charts.series("x", [1, 2], marks=["★"]),
    lambda: charts.series("x", [1], kind="pie"),
])
def test_a_series_that_does_not_fit_its_labels_is_refused(bad):
    with pytest.raises(ValueError):
        bad()
