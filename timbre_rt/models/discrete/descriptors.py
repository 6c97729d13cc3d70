"""Acoustic descriptors of audio frames, and of every code of a discrete model.

Frames follow the model's framing: frame n covers samples
[(n + 1) * hop - window, (n + 1) * hop) (zeros before the start), so
descriptor frame n lines up with code frame n of `encode`.
Needs librosa (imported on use).
"""

from dataclasses import dataclass
from typing import Dict

import numpy as np
import torch

DESCRIPTOR_NAMES = ("centroid", "bandwidth", "rolloff", "flatness", "loudness", "f0", "f0_confidence")
UNITS = {
    "centroid": "Hz",
    "bandwidth": "Hz",
    "rolloff": "Hz (85% of the energy below)",
    "flatness": "ratio (0 tonal .. 1 white noise)",
    "loudness": "dB (A-weighted RMS, 0 dB = full-scale sine)",
    "f0": "Hz (pYIN)",
    "f0_confidence": "pYIN voicing probability (0..1)",
}
# Compared on a log scale (ratios, octaves): 100 -> 200 Hz is as far as 1000 -> 2000 Hz.
LOG_SCALED = ("centroid", "bandwidth", "rolloff", "flatness", "f0")
# Floors of the spread used to standardise (log units for LOG_SCALED): a descriptor
# on which the codes hardly differ must not dominate the distance with tiny steps.
MIN_SPREAD = {
    "centroid": 0.1,
    "bandwidth": 0.1,
    "rolloff": 0.1,
    "flatness": 0.25,
    "f0": 0.06,
    "loudness": 3.0,
    "f0_confidence": 0.1,
}


@dataclass
class Framing:
    """How a model frames audio, and the f0 search range."""

    sampling_rate: int
    window: int
    hop: int
    f0_min: float = 65.0
    f0_max: float = 2093.0


def _librosa():
    try:
        import librosa
    except ImportError as e:
        raise RuntimeError("descriptors need librosa (pip install librosa)") from e
    return librosa


def analyse(audio: np.ndarray, framing: Framing, unvoiced_f0: bool = False) -> Dict[str, np.ndarray]:
    """audio: [..., T] -> {descriptor: [..., T // hop]} (float64).

    f0 is NaN on unvoiced frames unless `unvoiced_f0` (then pYIN's best guess).
    """
    librosa = _librosa()
    f = framing
    audio = np.asarray(audio, dtype=np.float64)
    n = audio.shape[-1] // f.hop
    if n < 1:
        raise ValueError(f"audio shorter than one hop ({f.hop} samples)")
    pad = [(0, 0)] * (audio.ndim - 1) + [(f.window - f.hop, 0)]
    y = np.pad(audio[..., : n * f.hop], pad)  # frame n then starts at n * hop
    spec = np.abs(librosa.stft(y, n_fft=f.window, hop_length=f.hop, window="hann", center=False))
    freqs = librosa.fft_frequencies(sr=f.sampling_rate, n_fft=f.window)
    common = dict(S=spec, sr=f.sampling_rate, n_fft=f.window, hop_length=f.hop)
    out = {
        "centroid": librosa.feature.spectral_centroid(**common)[..., 0, :],
        "bandwidth": librosa.feature.spectral_bandwidth(**common)[..., 0, :],
        "rolloff": librosa.feature.spectral_rolloff(**common, roll_percent=0.85)[..., 0, :],
        "flatness": librosa.feature.spectral_flatness(S=spec)[..., 0, :],
    }
    # A-weighted mean square of the frame (Parseval), so a full-scale 1 kHz sine reads ~ -3 dB.
    hann = np.hanning(f.window + 1)[:-1]
    with np.errstate(divide="ignore"):  # A-weighting is -inf dB at 0 Hz
        weights = 10.0 ** (librosa.A_weighting(freqs) / 10.0)
    power = (weights[:, None] * spec**2).sum(-2) * 2.0 / (f.window * (hann**2).sum())
    out["loudness"] = 10.0 * np.log10(power + 1e-10)
    f0, voiced, prob = librosa.pyin(
        y,
        fmin=f.f0_min,
        fmax=f.f0_max,
        sr=f.sampling_rate,
        frame_length=f.window,
        hop_length=f.hop,
        center=False,
        fill_na=None if unvoiced_f0 else np.nan,
    )
    out["f0"] = f0
    out["f0_confidence"] = np.nan_to_num(prob)
    return {k: np.asarray(out[k], dtype=np.float64)[..., :n] for k in DESCRIPTOR_NAMES}


@torch.no_grad()
def code_descriptors(
    decode, codes: int, framing: Framing, seconds: float = 0.25, progress: bool = True, group: int = 32
) -> np.ndarray:
    """Descriptors of every code held at unit gain -> table [codes, len(DESCRIPTOR_NAMES)].

    decode: z [K, 2, N] -> audio [K, 1, N * hop] (a model's non-streaming decode).
    Each code is rendered alone for `seconds`; the frames past the overlap-add's
    warm-up are analysed and their median kept (f0: pYIN's best guess even when
    unvoiced, with its voicing probability as f0_confidence). A held code is
    periodic, so a few frames say it all. Codes are measured `group` at a time.
    """
    from tqdm import tqdm

    per_window = framing.window // framing.hop
    n = max(per_window + 6, int(round(seconds * framing.sampling_rate / framing.hop)))
    rows = []
    for first in tqdm(range(0, codes, group), desc="code descriptors", disable=not progress):
        k = torch.arange(first, min(codes, first + group), dtype=torch.float32)
        z = torch.stack([k[:, None].expand(len(k), n), torch.ones(len(k), n)], dim=1)
        audio = decode(z)[:, 0].double().cpu().numpy()  # [k, n * hop]
        # The overlap is complete after window - hop samples: analyse from `window` on,
        # and drop the first frames, which would reach into analyse()'s zero padding.
        values = analyse(audio[:, framing.window :], framing, unvoiced_f0=True)
        rows.append(np.stack([np.median(values[d][:, per_window - 1 :], axis=-1) for d in DESCRIPTOR_NAMES], axis=1))
    return np.concatenate(rows)
