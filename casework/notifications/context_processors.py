"""The unread-notification count in the header: one indexed COUNT, evaluated only when the header renders it."""

from django.utils.functional import SimpleLazyObject


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    from . import selectors

    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user=user))}
