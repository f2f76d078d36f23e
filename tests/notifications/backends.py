"""Channel backends for tests."""

from notifications.channels import ChannelBackend


class AlwaysFails(ChannelBackend):
    def send(self, message) -> None:
        raise ConnectionError("SMTP server said no")
