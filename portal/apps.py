from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """What spans the bulletin and the jokes: home, tag pages, roles, demo content."""

    name = "portal"
    verbose_name = _("Site")
