from django.utils import translation

from accounts.policy import Actor


class ActorMiddleware:
    """Attach request.actor and apply the user's preferred language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = Actor(request.user)
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
