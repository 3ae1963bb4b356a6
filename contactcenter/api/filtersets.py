"""A FilterSet that builds its form class once per language, not on every request.

django-filter makes a new form class for each FilterSet instance (``type()`` over a fresh
field per filter), which cost half of a calls-list request's filtering. The class depends
only on the filters, so a FilterSet whose fields do not depend on the request (no
queryset or choices computed per user) keeps it: per language, as a field's label is
text in the language of the request that built it. Each request still gets its own form
instance (Django copies the class's fields into it) and its own copy of the filters.
"""

import django_filters
from django.utils.translation import get_language


class FormCachingFilterSet(django_filters.FilterSet):
    """For FilterSets whose fields are the same for every request (see the module)."""

    @classmethod
    def _form_classes(cls) -> dict:
        # Each subclass its own: never the cache of the class it derives from.
        if "_form_class_cache" not in cls.__dict__:
            cls._form_class_cache = {}
        return cls._form_class_cache

    def get_form_class(self):
        classes = self._form_classes()
        language = get_language()
        form_class = classes.get(language)
        if form_class is None:
            form_class = classes[language] = super().get_form_class()
        return form_class
