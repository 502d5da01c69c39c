
app_name = "referrals"
urlpatterns = []
