"""Logins fit for medical sign-off.

Everything about who is signed in, and how surely, lives here: lockout after
repeated wrong passwords (django-axes, configured in settings), the staff idle
timeout, the second factor for the people whose names vouch for medical
content, re-authentication before a sign-off, and the headers that keep
private pages out of caches and frames.
"""
