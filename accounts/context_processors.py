from accounts.policy import May, actor_for


def actor(request):
    """``actor`` (who is signed in, for display) and ``may`` (the policy's
    grants: every access decision a template makes)."""
    current = actor_for(request)
    return {"actor": current, "may": May(current)}
