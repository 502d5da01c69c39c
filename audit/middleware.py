from audit.models import AuditAction
from audit.services import audit_record


class AccessDeniedAuditMiddleware:
    """Record every refused request (403) of a signed-in user.

    A view that raises PermissionDenied has its transaction rolled back by
    ATOMIC_REQUESTS before the 403 reaches this middleware, so the row is
    written outside it and kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and request.user.is_authenticated:
            audit_record(request=request, action=AuditAction.ACCESS_DENIED, detail={"method": request.method})
        return response
