"""The exit-status contract of every command, and the exception classes behind it.

UsageError: the command line is wrong (an option out of range, an output that
is also an input): exit 2, like argparse's own usage errors.
InputError: an input file or value cannot be used (the message names the file,
the field and the problem): exit 1, as for any other failure.

Pure Python (no torch, no compiled core): the training side imports it too.
"""

import contextlib
import sys
import traceback
from typing import Any, Callable, Iterator, List, Tuple

__all__ = [
    "InputError",
    "UsageError",
    "EXIT_FAILURE",
    "EXIT_USAGE",
    "as_usage",
    "last_line",
    "one_line",
    "run_command",
    "split_debug",
]

EXIT_FAILURE = 1
EXIT_USAGE = 2


class InputError(ValueError):
    """A bad input file, spec or value; the message names where and what."""


class UsageError(InputError):
    """A bad command line: an option value out of range, an output equal to an input."""


@contextlib.contextmanager
def as_usage() -> Iterator[None]:
    """Within the block, a bad value is the command line's fault: InputError -> UsageError."""
    try:
        yield
    except UsageError:
        raise
    except InputError as e:
        raise UsageError(str(e)) from None


def last_line(error: BaseException) -> str:
    """The message of an error in one line: TorchScript puts its 15-line interpreter
    trace first and the actual error (`builtins.RuntimeError: ...`) last."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    last = lines[-1] if lines else type(error).__name__
    return last[len("builtins.") :] if last.startswith("builtins.") else last


def one_line(error: BaseException) -> str:
    """An exception as one line: OSErrors as 'file: reason', ours by their first line,
    others by their last (where TorchScript and some libraries put the actual message)."""
    if isinstance(error, OSError) and error.strerror:
        where = error.filename if error.filename is not None else ""
        return f"{where}: {error.strerror}" if where else error.strerror
    if isinstance(error, InputError):
        return str(error).splitlines()[0] if str(error).strip() else type(error).__name__
    return last_line(error)


def split_debug(argv: List[str]) -> Tuple[List[str], bool]:
    """argv without --debug, and whether it was there: accepted anywhere before "--", so it
    can be added to any failing command line."""
    end = argv.index("--") if "--" in argv else len(argv)
    debug = "--debug" in argv[:end]
    return [a for i, a in enumerate(argv) if a != "--debug" or i >= end], debug


# What a user can fix from the message alone; anything else is a bug of ours and says so.
_EXPECTED = (ValueError, OSError, RuntimeError)


def run_command(command: str, handler: Callable[[Any], int], args: Any, debug: bool = False) -> int:
    """handler(args) -> its exit status; an exception becomes one line on stderr,
    `<command>: error: <message>`, and exit 2 (usage) or 1 (any other failure).
    debug: also print the traceback."""
    try:
        return handler(args)
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 (the whole point: no traceback without --debug)
        if debug:
            traceback.print_exc()
        message = one_line(e)
        if not isinstance(e, _EXPECTED):
            message = f"internal error ({type(e).__name__}: {message}); rerun with --debug for the traceback"
        print(f"{command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE if isinstance(e, UsageError) else EXIT_FAILURE
