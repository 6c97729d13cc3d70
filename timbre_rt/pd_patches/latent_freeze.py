"""The `freezeN.pd` abstraction: N latent signals in, N out; a freeze holds them.

    [freeze19 <name>]   19 signal inlets and outlets (encoder~ -> it -> latents19 -> decoder~);
                        [; <name>-freeze 1( holds every channel at the value it had then
                        (sample and hold), [; <name>-freeze 0( lets them follow again.

Channel k: inlet~ -> [*~ 1] (follow gain) -> outlet~, and inlet~ -> [samphold~] -> [*~ 0]
(frozen gain) -> the same outlet~ (a signal outlet sums what reaches it). [samphold~] samples
when its control signal falls: [sig~ 1] goes to 0 at a freeze (one sample taken) and back to
1 at the release (a rise takes none). The gains switch at the same block, so the frozen value
is exactly the held one (live * 0 + held * 1)."""

from .canvas import Canvas

__all__ = ["freeze_patch"]

COLUMN = 100  # pixels per channel, at font size 10
LEFT = 160  # the channels start right of the freeze control


def freeze_patch(channels: int) -> str:
    if channels < 1:
        raise ValueError(f"freeze_patch: at least one channel, got {channels}")
    c = Canvas(LEFT + COLUMN * channels + 20, 280, font=10, x=40, y=40)
    state = c.obj(20, 60, "r \\$1-freeze")
    fan = c.obj(20, 90, "t f f")  # the frozen gains, then the follow gains and the sampling signal
    follow = c.obj(20, 120, "== 0")
    sampling = c.obj(20, 150, "sig~ 1")
    c.connect([(state, 0, fan, 0), (fan, 0, follow, 0), (follow, 0, sampling, 0)])
    for k in range(channels):
        x = LEFT + COLUMN * k
        inlet = c.obj(x, 60, "inlet~")
        live = c.obj(x, 100, "*~ 1")
        hold = c.obj(x + 35, 100, "samphold~")
        held = c.obj(x + 35, 130, "*~ 0")
        outlet = c.obj(x, 170, "outlet~")
        c.connect(
            [
                (inlet, 0, live, 0),
                (inlet, 0, hold, 0),
                (sampling, 0, hold, 1),
                (hold, 0, held, 0),
                (follow, 0, live, 1),
                (fan, 1, held, 1),
                (live, 0, outlet, 0),
                (held, 0, outlet, 0),
            ]
        )
    c.text(
        20,
        220,
        f"{channels} latent channels \\, held while frozen: [\\; \\$1-freeze 1( holds each at its value "
        "then (sample and hold) \\, [\\; \\$1-freeze 0( releases \\, where \\$1 is this object's "
        "argument., f 100",
    )
    return c.render()
