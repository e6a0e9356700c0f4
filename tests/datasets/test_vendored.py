"""The vendored datasets: lengths, first and last values, checksums, and derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shiftbench.datasets import DEFAULT_DATASETS, dataset_names, load_dataset
from shiftbench.datasets.base import expected_checksums, file_sha256, vendored_file
from shiftbench.datasets.sine import formula
from shiftbench.errors import InputError

SALES = [
    2800,
    2811,
    2832,
    2850,
    2880,
    2910,
    2960,
    3023,
    3039,
    3056,
    3138,
    3150,
    3198,
    3100,
    3029,
    2950,
    2989,
    3012,
    3050,
    3142,
    3252,
    3342,
    3365,
    3385,
    3340,
    3410,
    3443,
    3428,
    3554,
    3615,
    3646,
    3614,
    3574,
    3635,
    3738,
    3764,
    3788,
    3820,
    3840,
    3875,
    3900,
    3942,
    4000,
    4021,
    4055,
]

# sha256 of the raw files as published (computed with sha256sum on ../shared/data when vendoring).
PUBLISHED = dict(
    line.split()[::-1]
    for line in """
eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef CDNOW_master.txt
b12a10aa5846a2a1996e30555841e1ebb2dcaab3309bcbc79f3a9d2ce6ab40ef cta_daily_boarding_totals.csv
777f8437b2d32cddae72567133a69ee937a031a55776f2c77984ccf9a2ed5e2f chicago_daily_new_cases_from_2018-01-01.txt
e710fd53ff658be6fa961e62e76c6589f1db7b2c051bf843772b70944ef73bfa mta_daily_ridership_from_2020-03-01.csv
cd4b07aae0faa47221fab1e6466e367dbe8b81113216e64c537b1e2e61165941 nyc_daily_new_cases_from_2018-01-01.txt
""".strip().splitlines()
)


def test_every_vendored_file_matches_its_checksum() -> None:
    sums = expected_checksums()
    assert set(PUBLISHED) <= set(sums)
    for name, digest in sums.items():
        assert file_sha256(vendored_file(name)) == digest


def test_raw_files_are_the_published_ones() -> None:
    for name, digest in PUBLISHED.items():
        assert expected_checksums()[name] == digest


def test_sales_is_the_articles_45_values_in_order() -> None:
    ds = load_dataset("sales")
    assert len(ds) == 45
    assert ds.y.tolist() == [float(v) for v in SALES]
    assert ds.protocol.n_test(45) == 10
    assert ds.protocol.lstm_window == 3


def test_sine_file_equals_its_formula() -> None:
    ds = load_dataset("sine")
    assert len(ds) == 5001
    np.testing.assert_array_equal(ds.y.to_numpy(), formula(5001))
    assert ds.y.iloc[0] == 0.841470985  # sin(1) to 9 decimals
    assert ds.y.iloc[25] == round(math.sin(1 + math.pi / 2), 9)  # cos(1)
    assert ds.protocol.n_test(5001) == 1000
    assert ds.protocol.lstm_window == 50


def test_covid_trips_spans_198_days_with_its_covariates() -> None:
    ds = load_dataset("covid_trips")
    assert len(ds) == 198
    assert str(ds.y.index[0].date()) == "2020-01-01"
    assert str(ds.y.index[-1].date()) == "2020-07-16"
    # Values read off the raw CTA file: 01/01/2020 U 523059 and 07/16/2020 W 461200.
    assert ds.y.iloc[0] == 523059.0
    assert ds.y.iloc[-1] == 461200.0
    assert ds.exog is not None
    assert ds.exog["day_type"].iloc[0] == 0.0  # New Year's Day: U
    assert ds.exog["day_type"].iloc[1] == 1.0  # 2020-01-02: W
    assert ds.observed == ("new_cases", "cum_cases")
    assert ds.known_ahead == ("day_type",)
    assert ds.protocol.n_test(198) == 31
    assert ds.season_length == 7


def test_covid_cases_come_from_the_line_of_their_date() -> None:
    ds = load_dataset("covid_trips")
    raw = np.loadtxt(vendored_file("chicago_daily_new_cases_from_2018-01-01.txt"))
    # 2020-07-16 is day 927 after 2018-01-01 (365 + 365 + 197), so line 928 of the file.
    assert ds.exog is not None
    assert ds.exog["new_cases"].iloc[-1] == raw[927]
    assert ds.exog["cum_cases"].iloc[-1] == raw[:928].sum()
    assert np.all(np.diff(ds.exog["cum_cases"].to_numpy()) >= 0)


def test_covid_trips_nyc_spans_180_days() -> None:
    ds = load_dataset("covid_trips_nyc")
    assert len(ds) == 180
    assert str(ds.y.index[0].date()) == "2020-03-01"
    assert str(ds.y.index[-1].date()) == "2020-08-27"
    # 2020-03-01 in the raw MTA file: subways 2212965 + buses 984908.
    assert ds.y.iloc[0] == 2212965.0 + 984908.0


def test_consumption_intervals_are_customer_14048s_216_gaps() -> None:
    ds = load_dataset("consumption_intervals")
    assert len(ds) == 216
    # Customer 14048's first purchases: 1997-02-19, 02-24, 02-26, 02-28, 02-28.
    assert ds.y.iloc[:4].tolist() == [5.0, 2.0, 2.0, 0.0]
    assert (ds.y >= 0).all()
    assert (ds.y == 0).any()  # same-day purchases give zero gaps
    # The gaps add up to the span between the first and last purchase.
    assert ds.protocol.n_test(216) == 43


def test_consumption_gaps_add_up_to_the_purchase_span() -> None:
    path = vendored_file("CDNOW_master.txt")
    dates = sorted(
        line.split()[1]
        for line in path.read_text().splitlines()[1:]
        if line.split() and line.split()[0] == "14048"
    )
    import datetime as dt

    first = dt.datetime.strptime(dates[0], "%Y%m%d")
    last = dt.datetime.strptime(dates[-1], "%Y%m%d")
    assert load_dataset("consumption_intervals").y.sum() == (last - first).days


def test_dataset_checksum_is_stable_and_depends_on_values() -> None:
    a, b = load_dataset("sales"), load_dataset("sales")
    assert a.sha256 == b.sha256
    assert len(a.sha256) == 64
    assert len({load_dataset(n).sha256 for n in dataset_names()}) == len(dataset_names())


def test_default_suite_has_the_four_datasets() -> None:
    assert DEFAULT_DATASETS == ("sales", "sine", "covid_trips", "consumption_intervals")


def test_unknown_dataset_is_named_in_the_error() -> None:
    with pytest.raises(InputError, match="'salse'"):
        load_dataset("salse")
