import json

from marshmallow import Schema, fields, validate

from app.core.api import PageArgs, UtcDateTime


class AuditEntryOut(Schema):
    id = fields.Function(lambda e: e.seq)
    seq = fields.Integer()
    at = UtcDateTime()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(allow_none=True)
    action = fields.String()
    entity = fields.String()
    entity_id = fields.Integer(allow_none=True)
    changes = fields.Function(lambda e: json.loads(e.changes))
    prev_hash = fields.String()
    hash = fields.String()


class AuditListArgs(PageArgs):
    entity = fields.String(validate=validate.Length(max=40))
    entity_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    action = fields.String(validate=validate.Length(max=64))
