from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JokesConfig(AppConfig):
    name = "jokes"
    verbose_name = _("Jokes")
