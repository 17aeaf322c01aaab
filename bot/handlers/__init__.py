"""Thin PTB callbacks: read the update, call a service, send the reply."""
