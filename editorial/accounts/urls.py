from django.urls import path

from editorial.accounts import views

app_name = "account"

urlpatterns = [
    path("two-factor/enrol/", views.enrol, name="enrol"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("verify/", views.verify, name="verify"),
    path("confirm/", views.reauthenticate, name="reauthenticate"),
]
