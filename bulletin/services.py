"""Writes that span more than the article's own row."""

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import transaction
from django.utils.encoding import iri_to_uri


@transaction.atomic
def keep_old_url(old_path: str, new_path: str) -> None:
    """Make `old_path` answer with a permanent redirect to `new_path`.

    Redirects that pointed at the old address now point at the new one, so a
    visitor never follows a chain; a redirect from the new address (the article
    moved back) is removed, so nothing loops. Paths are stored as the redirect
    middleware looks them up: percent-encoded.
    """
    old_path, new_path = iri_to_uri(old_path), iri_to_uri(new_path)
    if old_path == new_path:
        return
    site = Site.objects.get(pk=settings.SITE_ID)
    Redirect.objects.filter(site=site, old_path=new_path).delete()
    Redirect.objects.filter(site=site, new_path=old_path).update(new_path=new_path)
    Redirect.objects.update_or_create(site=site, old_path=old_path, defaults={"new_path": new_path})
