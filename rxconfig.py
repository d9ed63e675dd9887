"""Reflex configuration, derived from portal.config (the environment)."""

import reflex as rx

from portal.config import get_settings
from portal.db.engine import sqlalchemy_url

settings = get_settings()

config = rx.Config(
    app_name="portal",
    db_url=sqlalchemy_url(settings.database_url),
    redis_url=settings.redis_url,
    state_manager_mode="redis" if settings.redis_url else "memory",
    # a tab's state lives as long as an idle session: nothing private outlives the session in memory
    redis_token_expiration=settings.session_idle_minutes * 60,
    cors_allowed_origins=[settings.site_origin],
    deploy_url=settings.site_url,
    api_url=settings.site_url,
    show_built_with_reflex=False,
    telemetry_enabled=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="indigo", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
