import json

from django import forms
from django.db import models


class OrderedJSONField(models.TextField):
    """JSON kept as text, so object keys keep their order on every database.

    PostgreSQL's jsonb sorts keys, and the order of a form schema's properties is the order
    of the applicant's sections and fields.
    """

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise forms.ValidationError(f"JSON không hợp lệ: {exc}") from exc
        return value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return forms.JSONField(**{"required": not self.blank, **kwargs})
