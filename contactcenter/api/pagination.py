"""Pagination: page numbers for small catalogues, a cursor for the big time-ordered tables."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class TimeCursorPagination(pagination.CursorPagination):
    """Stable and index-friendly on tens of millions of rows: no COUNT, no OFFSET."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-offered_at", "-id")
