"""A JSON boolean, nothing else: marshmallow's Boolean also takes "false", "no", 0 and 1 (and since
0 == False in Python, a set of truthy values cannot keep 0 out)."""
from marshmallow import fields


class StrictBoolean(fields.Boolean):
    default_error_messages = {"invalid": "Phải là true hoặc false (kiểu boolean của JSON)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
