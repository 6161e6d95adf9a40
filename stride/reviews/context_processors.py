from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from stride.reviews.selectors import takes_part_in_reviews


def reviews_nav(request: HttpRequest) -> dict[str, object]:
    """Whether the navigation offers *Reviews* (the viewer's own reviews): asked only
    when a page renders the navigation for someone who is not an HR admin (HR's entry
    leads to the cycles, and from there to their own reviews)."""
    viewer = getattr(request, "viewer", None)
    if viewer is None or not viewer.is_authenticated or viewer.is_hr_admin:
        return {}
    return {"takes_part_in_reviews": SimpleLazyObject(lambda: takes_part_in_reviews(viewer))}
