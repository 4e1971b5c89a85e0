def officer(request):
    user = getattr(request, "user", None)
    off = getattr(user, "officer", None) if user is not None and user.is_authenticated else None
    return {"current_officer": off}
