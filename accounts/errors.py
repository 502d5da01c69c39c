"""Error reports without personal data.

Django's default filter hides only parameters marked sensitive. In Sinergi
almost every form carries something about a student (observations, notes,
names), so when error reporting is active (DEBUG off) every POST value and
every local variable of the traceback is replaced by stars. The path, the
exception type and the code lines are enough to find a bug.
"""

from django.views.debug import SafeExceptionReporterFilter


class NoPersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        if not self.is_active(request):
            return request.POST
        cleansed = request.POST.copy()
        for name in cleansed:
            cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
