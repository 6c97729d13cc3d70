"""`python -m timbre_rt.bench.pd_jack`: the [encoder~] -> [decoder~] chain in Pd under a
paced JACK dummy device (no sound card needed): underruns, CPU use and reported latency per
buffer and headroom. Starts `jackd -d dummy` itself and stops it by PID."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import List, Optional

from ..pd_render import PD_EXTERNALS
from .report import machine_info


@dataclass
class JackRun:
    """One Pd run of `seconds` at 48 kHz (JACK period `period`)."""

    buffer: int
    headroom: int
    seconds: float
    calls: int  # model calls of the decoder
    underruns_encoder: int
    underruns_decoder: int
    latency_samples: int  # encoder + decoder, at Pd's rate, as the objects report
    latency_ms: float
    cpu_percent: float  # Pd's process, user + system, over the whole run


def chain_patch(model: Path, buffer: int, headroom: int, seconds: float) -> str:
    ms = 1000.0 * seconds
    return "\n".join([
        "#N canvas 0 0 600 400 12;",
        "#X obj 10 10 loadbang;",  # 0
        "#X msg 10 40 \\; pd dsp 1;",  # 1
        f"#X obj 10 70 delay {ms};",  # 2
        "#X msg 10 100 info;",  # 3
        "#X obj 10 130 osc~ 220;",  # 4
        f"#X obj 10 160 encoder~ {model} {buffer} {headroom};",  # 5
        f"#X obj 10 200 decoder~ {model} {buffer} {headroom};",  # 6
        "#X obj 10 240 dac~;",  # 7
        f"#X obj 200 70 delay {ms + 200};",  # 8
        "#X msg 200 100 \\; pd quit;",  # 9
        "#X connect 0 0 1 0;", "#X connect 0 0 2 0;", "#X connect 2 0 3 0;", "#X connect 3 0 5 0;",
        "#X connect 3 0 6 0;", "#X connect 4 0 5 0;", "#X connect 6 0 7 0;", "#X connect 6 0 7 1;",
        "#X connect 0 0 8 0;", "#X connect 8 0 9 0;",
    ] + [f"#X connect 5 {k} 6 {k};" for k in range(4)]) + "\n"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(model: Path, buffer: int, headroom: int, seconds: float, folder: Path) -> JackRun:
    patch = folder / f"jack_{buffer}_{headroom}.pd"
    patch.write_text(chain_patch(model.resolve(), buffer, headroom, seconds))
    command = ["pd", "-nogui", "-jack", "-nojackconnect", "-r", "48000", "-stderr", "-path", str(PD_EXTERNALS), "-open", str(patch)]
    begin = time.monotonic()
    pd = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    used = 0.0
    while pd.poll() is None and time.monotonic() - begin < seconds + 60:
        try:
            used = cpu_seconds(pd.pid)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            break
        time.sleep(0.2)
    if pd.poll() is None:
        pd.kill()
    wall = time.monotonic() - begin
    text = pd.stderr.read()
    info = re.findall(r"(encoder|decoder)~: .*latency (\d+) samples \(([\d.]+) ms\).*?(\d+) calls, (\d+) underruns", text)
    if len(info) != 2:
        raise RuntimeError(f"Pd did not report both objects:\n{text}")
    found = {name: (int(lat), float(ms), int(calls), int(under)) for name, lat, ms, calls, under in info}
    return JackRun(buffer=buffer, headroom=headroom, seconds=seconds, calls=found["decoder"][2],
                   underruns_encoder=found["encoder"][3], underruns_decoder=found["decoder"][3],
                   latency_samples=found["encoder"][0] + found["decoder"][0],
                   latency_ms=round(found["encoder"][1] + found["decoder"][1], 1),
                   cpu_percent=round(100.0 * used / wall, 1))


def markdown(runs: List[JackRun], command: str) -> str:
    info = machine_info()
    lines = ["# Pd chain under JACK (dummy driver, 48 kHz, period 256)", "",
             f"- CPU: {info['cpu']} ({info['cores']} cores), torch {info['torch']}",
             f"- command: `{command}`", "",
             "[osc~ 220] -> [encoder~ models/toy.ts B H] -> 4 latents -> [decoder~ models/toy.ts B H] -> [dac~]; the "
             "24 kHz model is resampled to Pd's 48 kHz. Underruns count Pd blocks that had to output silence; latency is "
             "what the two objects report (encoder + decoder, resampling included); CPU is Pd's process over the run.", "",
             "| buffer | headroom | seconds | model calls | underruns enc / dec | latency | CPU |",
             "|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r.buffer} | {r.headroom} | {r.seconds:g} | {r.calls} | {r.underruns_encoder} / {r.underruns_decoder} "
                     f"| {r.latency_samples} samples ({r.latency_ms} ms) | {r.cpu_percent} % |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m timbre_rt.bench.pd_jack", description=__doc__)
    parser.add_argument("--model", default="models/toy.ts", help="model file (default: models/toy.ts)")
    parser.add_argument("--buffers", type=int, nargs="+", default=[2048, 4096])
    parser.add_argument("--headrooms", type=float, nargs="+", default=[0.0, 0.5],
                        help="headroom as a fraction of the buffer (default: 0 0.5)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run (default: 60)")
    parser.add_argument("--out", default="bench", help="folder for pd_jack.json and pd_jack.md (default: bench)")
    args = parser.parse_args(argv)
    jackd = subprocess.Popen(["jackd", "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "256"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = []
    try:
        time.sleep(1.0)
        with tempfile.TemporaryDirectory() as folder:
            for buffer in args.buffers:
                for fraction in args.headrooms:
                    run = run_once(Path(args.model), buffer, int(buffer * fraction), args.seconds, Path(folder))
                    print(asdict(run), flush=True)
                    runs.append(run)
    finally:
        jackd.terminate()
        jackd.wait(timeout=10)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "python -m timbre_rt.bench.pd_jack " + " ".join(argv if argv is not None else sys.argv[1:])
    (out / "pd_jack.json").write_text(json.dumps({"machine": machine_info(), "command": command,
                                                  "runs": [asdict(r) for r in runs]}, indent=2))
    (out / "pd_jack.md").write_text(markdown(runs, command))
    print(markdown(runs, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
