from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "stride.org"
    label = "org"
    verbose_name = "People"

    def ready(self) -> None:
        # notify knows no app above it: org tells it how to turn an invitation into e-mail.
        from stride.notify.registry import DeliveryKind, register_delivery_kind
        from stride.org import invitations

        register_delivery_kind(
            DeliveryKind(prefix=invitations.KEY, render=invitations.invitation_messages)
        )
