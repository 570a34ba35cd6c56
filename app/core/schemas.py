"""Input schemas every domain shares."""
from marshmallow import Schema

from app.core.text import Text


class ReasonSchema(Schema):
    """Why: a refusal, a return, a cancellation, a reversal (the API's body and the pages' form)."""

    reason = Text(required=True, multiline=True, min_length=3, max_length=2000)
