"""The unread count in the header (base.html): one COUNT for a logged-in person, read only
when the page shows it."""

from django.utils.functional import SimpleLazyObject


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        from motcua.notifications.services import unread_count

        return unread_count(user)

    return {"notifications_unread": SimpleLazyObject(count)}
