"""`timbre-rt play` and `timbre-rt midi-learn`."""

import argparse
import sys
from pathlib import Path
from typing import List

from ..errors import EXIT_FAILURE, EXIT_USAGE, UsageError
from ..io import check_outputs

from .audio import PlayError, describe_devices, refresh_devices
from .knob_map import MapError, save_map
from .midi import MIDI_APIS, MidiError, list_ports

__all__ = ["add_parsers", "run_learn", "run_play"]

PLAY_DESCRIPTION = """\
Play a model live: input (a device, or a file looped) -> encoder -> latent knobs ->
decoder -> output device, through sounddevice (PortAudio; the JACK host API when a JACK
server runs). The audio callback makes one call into the C++ pipeline, which releases the
GIL and never waits: a late model result is silence, counted as an underrun. A status line
shows the latency (models + PortAudio), xruns, underruns, CPU load and the knobs.
MIDI controls move the knobs as --map says (see `timbre-rt midi-learn`).
"""

PLAY_EPILOG = """\
examples:
  timbre-rt play --list
  timbre-rt play models/continuous.ts --input mic
  timbre-rt play models/continuous.ts --input loop.wav --midi nanoKONTROL --map knobs.yaml
  timbre-rt play models/toy.ts --input loop.wav --seconds 5 --record out/play.wav
with no sound card: jackd -d dummy -r 48000 -p 256 &   (then play uses JACK)
"""

LEARN_DESCRIPTION = """\
Build a knob map by moving controls: for each latent dimension (--dims, default all),
move the knob or slider that should set it (its offset, or --target scale); with
--freeze / --bypass, then press the key that should toggle that. A step with no new
control within --timeout seconds is skipped. Writes the map as YAML (-o).
"""


def _play_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?", metavar="MODEL", help="TorchScript model file (encode and decode methods)")
    p.add_argument("--list", action="store_true", help="list audio devices and MIDI input ports, then exit")
    p.add_argument(
        "--input",
        default="mic",
        metavar="mic|FILE",
        help="'mic' (the input device) or an audio file, looped (default: mic)",
    )
    p.add_argument(
        "--input-device",
        metavar="DEV",
        help="input device: index or part of a name (default: JACK's, else the system's)",
    )
    p.add_argument(
        "--output-device",
        metavar="DEV",
        help="output device: index or part of a name (default: JACK's, else the system's)",
    )
    p.add_argument("--channels", type=int, metavar="N", help="output channels, each gets the result (default: up to 2)")
    p.add_argument("--block", type=int, default=256, metavar="N", help="frames per audio callback (default: 256)")
    p.add_argument(
        "--buffer", type=int, default=2048, metavar="N", help="model buffer in model samples (default: 2048)"
    )
    p.add_argument(
        "--headroom",
        type=int,
        metavar="N",
        help="extra delay per engine that gives the model more time (default: half the buffer)",
    )
    p.add_argument("--threads", type=int, default=1, metavar="N", help="intra-op threads of the models (default: 1)")
    p.add_argument("--device", default="cpu", help="cpu or cuda[:i] (default: cpu)")
    p.add_argument("--decoder", metavar="MODEL", help="decode with this file's decode method (default: MODEL's)")
    p.add_argument(
        "--smoothing", type=int, default=2, metavar="FRAMES", help="knob ramps in latent frames (default: 2)"
    )
    p.add_argument("--midi", metavar="PORT", help="MIDI input port, part of its name (default: the map's 'port')")
    p.add_argument("--midi-api", choices=MIDI_APIS, default="jack", help="MIDI API (default: jack)")
    p.add_argument("--map", dest="knob_map", metavar="FILE", help="knob map (YAML; `timbre-rt midi-learn` writes one)")
    p.add_argument(
        "--seconds", type=float, metavar="S", help="stop after S seconds of audio (default: run until Ctrl-C)"
    )
    p.add_argument("--record", metavar="WAV", help="also write the output to this WAV (32-bit float)")
    p.add_argument("--quiet", action="store_true", help="no status line")


def _learn_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="TorchScript model file (for its latent dimensions and names)")
    p.add_argument("--midi", required=True, metavar="PORT", help="MIDI input port, part of its name")
    p.add_argument("--midi-api", choices=MIDI_APIS, default="jack", help="MIDI API (default: jack)")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="knob map to write (YAML)")
    p.add_argument("--dims", nargs="+", metavar="DIM", help="latent indices or names to learn (default: all)")
    p.add_argument(
        "--target", choices=("offset", "scale"), default="offset", help="what the controls set (default: offset)"
    )
    p.add_argument(
        "--range",
        nargs=2,
        type=float,
        metavar=("LOW", "HIGH"),
        help="values at CC 0 and 127 (default: offset -3 3, scale 0 2)",
    )
    p.add_argument("--freeze", action="store_true", help="also learn a key per dimension that toggles freeze")
    p.add_argument("--bypass", action="store_true", help="also learn a key per dimension that toggles bypass")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds to wait per step (default: 30)")


def _error(command: str, e: Exception) -> int:
    print(f"timbre-rt {command}: error: {e}", file=sys.stderr)
    return EXIT_USAGE if isinstance(e, UsageError) else EXIT_FAILURE


def _list() -> int:
    try:
        refresh_devices()
        print("audio devices:\n" + describe_devices())
    except PlayError as e:
        print(f"audio devices: {e}")
    for api in MIDI_APIS:
        try:
            ports = list_ports(api)
            print(f"MIDI input ports ({api}): " + (", ".join(repr(p) for p in ports) or "none"))
        except MidiError as e:
            print(f"MIDI input ports ({api}): {e}")
    return 0


def run_play(args: argparse.Namespace) -> int:
    from .._core import ModelError
    from .host import PlayConfig, Player

    if args.list:
        return _list()
    if not args.model:
        return _error("play", UsageError("a MODEL is needed (or --list)"))
    try:
        # The recording must not replace a file the session reads (its input, model or map).
        inputs = [args.model, args.knob_map] + ([args.input] if Path(args.input or "").is_file() else [])
        check_outputs([args.record], inputs)
    except UsageError as e:
        return _error("play", e)
    config = PlayConfig(
        model=args.model,
        decoder=args.decoder,
        input=args.input,
        input_device=args.input_device,
        output_device=args.output_device,
        channels=args.channels,
        block=args.block,
        buffer=args.buffer,
        headroom=args.headroom,
        threads=args.threads,
        device=args.device,
        smoothing=args.smoothing,
        seconds=args.seconds,
        record=args.record,
        midi=args.midi,
        midi_api=args.midi_api,
        knob_map=args.knob_map,
        status=not args.quiet,
    )
    try:
        player = Player(config)
        player.run()
    except (PlayError, MidiError, MapError, ModelError, ValueError) as e:
        return _error("play", e)
    return 0


def _dims(specs: List[str], names: List[str], channels: int) -> List[int]:
    from .knob_map import resolve_dim

    if not specs:
        return list(range(channels))
    dims = []
    for spec in specs:
        dims += resolve_dim(int(spec) if spec.lstrip("-").isdigit() else spec, names, channels)
    return dims


def run_learn(args: argparse.Namespace) -> int:
    from .._core import ModelError, read_model_info
    from .learn import learn_map
    from .midi import open_input

    try:
        check_outputs([args.out], [args.model])
        info = read_model_info(args.model)
        if "encode" not in info["methods"]:
            raise MapError(f"model file '{args.model}' has no encode method (it has: {', '.join(info['methods'])})")
        channels = info["methods"]["encode"]["params"][2]
        names = list(info["latent_names"])[:channels]
        dims = _dims(args.dims or [], names, channels)
        midi_in, port = open_input(args.midi, args.midi_api, client_name="timbre-rt-learn")
    except (ModelError, MapError, MidiError, UsageError) as e:
        return _error("midi-learn", e)
    actions = [a for a in ("freeze", "bypass") if getattr(args, a)]
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    say(f"midi-learn: listening on '{port}'; {len(dims)} dimension(s), {args.timeout:g} s per step; Ctrl-C stops early")
    try:
        knobs = learn_map(
            midi_in,
            names,
            dims,
            args.target,
            tuple(args.range) if args.range else None,
            actions,
            args.timeout,
            port=args.midi,
            say=say,
        )
    except KeyboardInterrupt:
        say("midi-learn: interrupted, nothing written")
        return 130
    finally:
        midi_in.close_port()
        midi_in.delete()
    if not knobs.controls and not knobs.notes:
        say("midi-learn: nothing learned, no file written")
        return 1
    path = save_map(
        knobs,
        args.out,
        comment=f"knob map for {args.model}, written by timbre-rt midi-learn\n"
        "format: timbre_rt/play/knob_map.py (README: 'MIDI knobs')",
    )
    say(f"midi-learn: wrote {path} ({len(knobs.controls)} control(s), {len(knobs.notes)} key(s))")
    return 0


def add_parsers(sub) -> None:
    """Add `play` and `midi-learn` to the `timbre-rt` subcommands."""
    p = sub.add_parser(
        "play",
        help="play a model live with MIDI-controlled latent knobs",
        description=PLAY_DESCRIPTION,
        epilog=PLAY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _play_arguments(p)
    p.set_defaults(handler=run_play)
    p = sub.add_parser(
        "midi-learn",
        help="write a knob map by moving MIDI controls",
        description=LEARN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _learn_arguments(p)
    p.set_defaults(handler=run_learn)
