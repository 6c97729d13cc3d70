"""The `latentsN.pd` abstraction: N latent signals in, N out, each `z * scale + offset`.

    [latents17 <name>]   17 signal inlets and outlets (encoder~ -> it -> decoder~);
                         [; <name>-z<k> v( sets channel k's offset, [; <name>-s<k> v( its scale.

Latents change once per model frame (hundreds of samples), so plain control inlets of
[+~]/[*~] are enough: a ramp would be averaged away by the model's frame anyway."""

__all__ = ["latents_patch"]

COLUMN = 70  # pixels per channel, at font size 10


def latents_patch(channels: int) -> str:
    lines = [f"#N canvas 40 40 {COLUMN * channels + 40} 260 10;"]
    rows = ("inlet~", "r \\$1-s{k}", "*~ 1", "r \\$1-z{k}", "+~ 0", "outlet~")
    for k in range(channels):
        x = 20 + COLUMN * k
        for row, text in enumerate(rows):
            lines.append(f"#X obj {x} {20 + 30 * row} {text.format(k=k)};")
    lines.append(f"#X text 20 210 {channels} latent channels: z * scale + offset. "
                 f"Offsets: [\\; \\$1-z<k> value( \\, scales: [\\; \\$1-s<k> value( (k = 0..{channels - 1}) \\, "
                 f"where \\$1 is this object's argument., f {max(40, COLUMN * channels // 7)};")
    per = len(rows)
    for k in range(channels):
        base = per * k
        lines += [f"#X connect {base} 0 {base + 2} 0;", f"#X connect {base + 1} 0 {base + 2} 1;",
                  f"#X connect {base + 2} 0 {base + 4} 0;", f"#X connect {base + 3} 0 {base + 4} 1;",
                  f"#X connect {base + 4} 0 {base + 5} 0;"]
    return "\n".join(lines) + "\n"
