"""Proof for auditors: sign-off reports per article and for the whole library."""

app_name = "audit"

urlpatterns = []
