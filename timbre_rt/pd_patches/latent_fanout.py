"""The `latentsN.pd` abstraction: N latent signals in, N out, each `z * scale + offset`.

    [latents17 <name>]   17 signal inlets and outlets (encoder~ -> it -> decoder~);
                         [; <name>-z<k> v( sets channel k's offset, [; <name>-s<k> v( its scale.

Latents change once per model frame (hundreds of samples), so plain control inlets of
[+~]/[*~] are enough: a ramp would be averaged away by the model's frame anyway."""

from .canvas import Canvas

__all__ = ["latents_patch"]

COLUMN = 70  # pixels per channel, at font size 10


def latents_patch(channels: int) -> str:
    if channels < 1:
        raise ValueError(f"latents_patch: at least one channel, got {channels}")
    c = Canvas(COLUMN * channels + 40, 260, font=10, x=40, y=40)
    for k in range(channels):
        x = 20 + COLUMN * k
        inlet, scale, times, offset, plus, outlet = (
            c.obj(x, 20 + 30 * row, text)
            for row, text in enumerate(("inlet~", f"r \\$1-s{k}", "*~ 1", f"r \\$1-z{k}", "+~ 0", "outlet~"))
        )
        c.connect(
            [
                (inlet, 0, times, 0),
                (scale, 0, times, 1),
                (times, 0, plus, 0),
                (offset, 0, plus, 1),
                (plus, 0, outlet, 0),
            ]
        )
    c.text(
        20,
        210,
        f"{channels} latent channels: z * scale + offset. "
        f"Offsets: [\\; \\$1-z<k> value( \\, scales: [\\; \\$1-s<k> value( (k = 0..{channels - 1}) \\, "
        f"where \\$1 is this object's argument., f {max(40, COLUMN * channels // 7)}",
    )
    return c.render()
