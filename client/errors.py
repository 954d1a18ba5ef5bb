"""Typed errors, so each layer can decide what the operator is told.

A `UserFacingError` carries plain words for the operator; an `EnvironmentProblem` is
something outside the program (disk full, no GPS, network); anything else is a bug.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An error whose message is meant for the operator, in plain words."""


class EnvironmentProblem(UserFacingError):
    """The machine or its surroundings are not as needed (disk, network, GPS)."""


class NetworkUnavailable(EnvironmentProblem):
    """The server could not be reached or did not answer; the outcome is unknown."""


class RequestTimedOut(NetworkUnavailable):
    """No complete answer within the request's total deadline (black hole, trickle)."""


class LoginRequired(UserFacingError):
    """The server refused our credentials or token; the operator must log in again."""


class UpdateRequired(UserFacingError):
    """The server speaks a protocol this tablet does not; the queue is kept."""


class ServerRefused(UserFacingError):
    """The server answered with a 4xx that retrying will not fix."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"the server refused the request ({status}): {detail}")
        self.status = status
        self.detail = detail


class ServerBusy(EnvironmentProblem):
    """429/503: the server asked us to come back later."""

    def __init__(self, retry_after_s: float | None, detail: str = "") -> None:
        super().__init__(detail or "the server is busy")
        self.retry_after_s = retry_after_s


class StorageError(EnvironmentProblem):
    """The local database could not be written (disk full, locked, damaged)."""
