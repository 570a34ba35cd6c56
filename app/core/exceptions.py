"""Domain errors: what a service refuses, with the HTTP status and machine code it answers with.

This module imports nothing of the web: services, the command line and tests raise and catch these
without Flask. `app.core.errors` renders them as JSON under /api/ and as pages elsewhere.
"""


class DomainError(Exception):
    status = 409
    code = "rule_violation"

    def __init__(self, message: str, details: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    status, code = 422, "validation_error"

    @classmethod
    def field(cls, name: str, reason: str):
        return cls(reason, {name: [reason]})


class IdempotencyConflict(DomainError):
    status, code = 422, "idempotency_conflict"


class InsufficientFunds(DomainError):
    status, code = 409, "insufficient_funds"


class InvalidTransition(DomainError):
    status, code = 409, "invalid_transition"


class RuleViolation(DomainError):
    status, code = 409, "rule_violation"


class YearClosed(DomainError):
    """A write on a record of a fiscal year that finance has closed (DESIGN §11)."""
    status, code = 409, "year_closed"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class Unauthenticated(DomainError):
    status, code = 401, "unauthenticated"


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported_media_type"


class RequestLineTooLong(DomainError):
    status, code = 414, "uri_too_long"


class HeadersTooLarge(DomainError):
    status, code = 431, "request_header_fields_too_large"


class TooManyAttempts(DomainError):
    status, code = 429, "too_many_attempts"
