from accounts.policy import actor_for


def actor(request):
    return {"actor": actor_for(request)}
