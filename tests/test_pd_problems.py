"""pd_problems: which lines of a Pd log say that a run went wrong."""

from timbre_rt.pd_render import pd_problems


def test_pd_problems_finds_broken_patches_and_errors_not_words():
    log = "\n".join(
        [
            "/tmp/errors/out.wav: biggest amplitude = 0.5",  # a file name with 'error' in it
            "error: encoder~: no model loaded",
            "render 4 0 9 0 (receive->loadbang) connection failed",
            "foo~ 1 2",
            "... couldn't create",
        ]
    )
    assert pd_problems(log) == [
        "error: encoder~: no model loaded",
        "render 4 0 9 0 (receive->loadbang) connection failed",
        "... couldn't create",
    ]
    assert pd_problems(log, errors_expected=True) == [
        "render 4 0 9 0 (receive->loadbang) connection failed",
        "... couldn't create",
    ]
    assert pd_problems("") == []
