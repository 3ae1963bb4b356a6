"""Russian formats over Django's own: 1 006 633,32 and 18.11.2026 01:58 (docs/i18n.md).

Only what differs is here; every other format comes from django.conf.locale.ru.
"""

DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
MONTH_DAY_FORMAT = "j E"  # "17 ноября" (the genitive), as in a date hierarchy's day links
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a non-breaking space: 1 006 633,32 never splits at the line end
NUMBER_GROUPING = 3
