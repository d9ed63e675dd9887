"""Adapters to the outside world (mail, SMS, files): a Protocol each, a real and a local implementation."""
