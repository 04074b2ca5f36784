"""Load the wording shipped with MotCua as version 1 of each template (never over an
administrator's versions): the data migration and load_notification_templates use it."""

from motcua.notifications.kinds import default_templates


def load_defaults(template_model) -> int:
    made = 0
    for row in default_templates():
        exists = template_model.objects.filter(kind=row["kind"], language=row["language"]).exists()
        if not exists:
            template_model.objects.create(version=1, active=True, **row)
            made += 1
    return made
