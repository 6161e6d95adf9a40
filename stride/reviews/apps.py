from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "stride.reviews"
    label = "reviews"
    verbose_name = "Reviews"
