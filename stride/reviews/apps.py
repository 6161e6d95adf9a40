from datetime import timedelta

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "stride.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        # notify knows no domain app: reviews hands it the deadline reminder job and how to
        # turn its deliveries into e-mail.
        from stride.notify.registry import (
            DeliveryKind,
            PeriodicJob,
            register_delivery_kind,
            register_job,
        )
        from stride.reviews import reminders, tasks

        # Every five minutes: reminders go out shortly after 09:00 where each person lives.
        register_job(
            PeriodicJob("review-reminders", timedelta(minutes=5), tasks.sweep_review_reminders)
        )
        register_delivery_kind(
            DeliveryKind(prefix=reminders.KEY_PREFIX, render=reminders.review_reminder_messages)
        )
        register_delivery_kind(
            DeliveryKind(prefix=reminders.OVERDUE_PREFIX, render=reminders.review_reminder_messages)
        )
        register_delivery_kind(
            DeliveryKind(prefix=reminders.NUDGE_PREFIX, render=reminders.nudge_messages)
        )
        from stride.reviews import sign_off

        register_delivery_kind(
            DeliveryKind(prefix=sign_off.SHARED_PREFIX, render=sign_off.shared_messages)
        )

        from stride.access.audit import register_private_fields
        from stride.reviews.models import ReviewerAssignment, ReviewResponse

        # The audit log (read by HR) records that answers changed, never the answers, and
        # that a reviewer declined, not their words.
        register_private_fields(ReviewResponse, ["answers"])
        register_private_fields(ReviewerAssignment, ["decline_reason"])
        # Nor the person's comment on acknowledging their review.
        from stride.reviews.models import CycleParticipant

        register_private_fields(CycleParticipant, ["acknowledgement"])

        from stride.access.viewer import register_viewer_flag
        from stride.reviews.selectors import takes_part_q

        # The navigation offers "Reviews" to people with one, at no extra query.
        register_viewer_flag("reviews", takes_part_q)

        from django.utils.translation import gettext_lazy

        from stride.org.person_links import PersonLink, register_person_link
        from stride.reviews.growth.selectors import may_see_growth
        from stride.reviews.models import DevelopmentItem

        # A person's page links to their growth graph and development plan (org cannot
        # import reviews); the plan's words are kept out of the audit log HR reads.
        register_person_link(PersonLink(gettext_lazy("Growth"), "reviews:growth", may_see_growth))
        register_private_fields(
            DevelopmentItem,
            ["growth_area", "actions"],
            label=lambda item: f"development plan item of person {item.person_id}",
        )
