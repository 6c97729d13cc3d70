"""The one exception of the evaluation: bad input the user can fix."""


class EvaluationError(ValueError):
    """A missing or unusable model file, an empty data folder, bad options."""
