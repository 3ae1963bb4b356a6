"""The one domain error type. Services raise it; the API handler turns it into a clear 4xx."""


class DomainError(Exception):
    """A business rule refused an operation.

    ``message`` is for people; ``details`` maps field names (or row indexes) to messages,
    so an integrator sees which field to fix. ``status`` is the HTTP status the API
    answers with (400 unless the rule is a conflict, 409, or a missing object, 404).
    """

    status = 400
    code = "invalid"

    def __init__(self, message, *, details=None, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code

    def as_dict(self):
        body = {"detail": self.message, "code": self.code}
        if self.details:
            body["errors"] = self.details
        return body


class ConflictError(DomainError):
    """The request contradicts data already stored (HTTP 409)."""

    status = 409
    code = "conflict"
