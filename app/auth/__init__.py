"""Accounts: sign-in, invitations, password reset, language preference."""
