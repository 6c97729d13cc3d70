"""The delay finders of the live latency benchmark (timbre_rt.bench.impulse_delay) on
synthetic recordings whose delays are known."""

import numpy as np

from timbre_rt.bench.impulse_delay import click_delays, onset, peak_delay


def test_click_delays_find_each_click_and_miss_a_lost_one():
    recorded = np.zeros(1000, dtype=np.float32)
    recorded[100 + 37] = 0.9
    recorded[400 + 37] = 1.0
    recorded[700 + 12] = 0.2  # below half the click: not this click
    assert click_delays(recorded, [100, 400, 700], amplitude=1.0, limit=200) == [37, 37, None]


def test_onset_against_a_reference_with_a_deterministic_path():
    rng = np.random.default_rng(0)
    without = rng.standard_normal(2000)
    with_impulse = without.copy()
    with_impulse[1234:1238] += [1e-4, 5e-3, 1e-2, -5e-3]
    found = onset(with_impulse, without, click=1000, window=500)
    assert found.floor == 0.0
    assert found.frame == 1234
    assert peak_delay(with_impulse, without, click=1000) == 236


def test_onset_rises_above_the_noise_floor_of_a_random_path():
    rng = np.random.default_rng(1)
    a = 0.01 * rng.standard_normal(4000)
    b = 0.01 * rng.standard_normal(4000)
    a[3000] += 1.0
    found = onset(a, b, click=2000, window=1000)
    assert found.floor > 0.0
    assert found.frame == 3000


def test_onset_ignores_differences_before_its_window():
    a = np.zeros(3000)
    b = np.zeros(3000)
    a[100:200] = 0.5  # the two paths started apart
    a[2500] = 0.1
    assert onset(a, b, click=2000, window=1000).frame == 2500
    assert onset(a, b, click=2000, window=2000).frame is None  # 0.1 < 4 x 0.5
