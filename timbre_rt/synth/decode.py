"""Play chosen codes through a discrete model file, whichever decoder it has."""

from typing import Optional

import numpy as np
import torch

from ..nn.pitch_input import REFERENCE_NOTE  # where there is no pitch (a held code, an unvoiced target)


def decode_codes(
    model,
    codes: np.ndarray,
    gains: np.ndarray,
    f0: Optional[np.ndarray] = None,
    confidence: Optional[np.ndarray] = None,
) -> np.ndarray:
    """codes, gains: [N] per frame -> audio [N * hop] (the model's latency not removed).

    A model whose latents also carry pitch and periodicity (the harmonic decoder) plays
    f0 [N] Hz (NaN or None: REFERENCE_NOTE) with periodicity `confidence` [N] (NaN or
    None: 1); a loop decoder ignores them."""
    rows = [codes, gains]
    if len(model.latent_names) == 4:
        n = len(codes)
        notes = np.full(n, REFERENCE_NOTE)
        if f0 is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                given = 69.0 + 12.0 * np.log2(np.asarray(f0, dtype=np.float64) / 440.0)
            notes = np.where(np.isfinite(given), given, notes)
        periodicity = np.ones(n) if confidence is None else np.nan_to_num(confidence, nan=1.0)
        rows += [notes, periodicity]
    z = torch.tensor(np.stack(rows)[None], dtype=torch.float32)
    with torch.no_grad():
        model.reset()
        audio = model.decode(z)[0, 0].double().numpy()
        model.reset()
    return audio
