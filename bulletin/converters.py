"""Path converters, registered once here for every app's URLs (bulletin's, and the
portal's above it). Each accepts only what a real value can be, so hostile input (a
NUL byte, which PostgreSQL refuses in a query, a huge number, a megabyte of text) is
a 404 before any query runs."""

from django.urls import register_converter


class UnicodeSlugConverter:
    """Like the built-in `slug`, but letters of any script (Chinese titles, ...)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class TokenConverter(UnicodeSlugConverter):
    """What `secrets.token_urlsafe` makes, and no more."""

    regex = "[A-Za-z0-9_-]{1,64}"


class YearConverter:
    """Four-digit years only: beyond 9999 date arithmetic overflows."""

    regex = r"[12][0-9]{3}"
    first = 1000

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


class MonthConverter(YearConverter):
    regex = r"0?[1-9]|1[0-2]"

    def to_url(self, value):
        return f"{value:02d}"


register_converter(UnicodeSlugConverter, "uslug")
register_converter(TokenConverter, "token")
register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")
