"""Offline generation: encode sounds to latent series, deform them, interpolate in time
and on a plane, decode to audio, plot (the seed paper's "Offline generation").

    from timbre_rt.generate import load_model, encode_file, deform, decode_to_file
    model = load_model("models/continuous.ts")
    series = encode_file(model, "voice.wav")                 # LatentSeries, latent: [C, N]
    edited = deform(series, [{"op": "offset", "value": {"z0": 1.0}}])
    decode_to_file(model, edited, "out.wav")                 # aligned with voice.wav

The command line is `timbre-rt encode|deform|decode|morph|plane` (generate.cli).
"""

from .codec import DEFAULT_CHUNK, DecodeResult, decode_series, decode_to_file, encode_audio, encode_file, iter_decode
from .curves import CROSSFADES, breakpoint_curve, crossfade_weights, parse_breakpoints
from .deform import OPS
from .errors import DeformError, DiscreteLatentError, GenerateError, ModelMismatchError, SeriesError, check_mixable
from .mix import mix_latents, resample_frames
from .model import OfflineModel, file_sha256, load_model
from .morph import ALIGNS, align_pair, morph_files, morph_series
from .paths import PARAMETRIC, Trajectory, parametric_path, read_path_csv, trajectory_from
from .plane import ANCHOR_MODES, CORNERS, PlaneResult, bilinear_weights, idw_weights, plane_files, plane_series
from .plots import plot_plane, plot_series
from .series import LatentSeries, check_model, load_series, save_series
from .spec import check_spec, deform, load_spec

__all__ = [
    "ALIGNS",
    "ANCHOR_MODES",
    "CORNERS",
    "CROSSFADES",
    "DEFAULT_CHUNK",
    "OPS",
    "PARAMETRIC",
    "DecodeResult",
    "DeformError",
    "DiscreteLatentError",
    "GenerateError",
    "LatentSeries",
    "ModelMismatchError",
    "OfflineModel",
    "PlaneResult",
    "SeriesError",
    "Trajectory",
    "align_pair",
    "bilinear_weights",
    "breakpoint_curve",
    "check_mixable",
    "check_model",
    "check_spec",
    "crossfade_weights",
    "decode_series",
    "decode_to_file",
    "deform",
    "encode_audio",
    "encode_file",
    "file_sha256",
    "idw_weights",
    "iter_decode",
    "load_model",
    "load_series",
    "load_spec",
    "mix_latents",
    "morph_files",
    "morph_series",
    "parametric_path",
    "parse_breakpoints",
    "plane_files",
    "plane_series",
    "plot_plane",
    "plot_series",
    "read_path_csv",
    "resample_frames",
    "save_series",
    "trajectory_from",
]
