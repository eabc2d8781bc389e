"""Settings that would let an outsider forge something are reported while still shipped."""

from __future__ import annotations

from workflow.settings import Settings


def test_shipped_secrets_are_named_until_replaced() -> None:
    assert Settings().insecure_defaults() == [
        "COUNCILFLOW_SESSION_SECRET",
        "COUNCILFLOW_AUDIT_KEY",
    ]
    webhooks = Settings(reminder_channels=["webhook"])
    assert webhooks.insecure_defaults() == [
        "COUNCILFLOW_SESSION_SECRET",
        "COUNCILFLOW_WEBHOOK_SECRET",
        "COUNCILFLOW_AUDIT_KEY",
    ]
    safe = Settings(
        reminder_channels=["webhook"],
        session_secret="s" * 32,
        webhook_secret="w" * 32,
        audit_key="a" * 32,
    )
    assert safe.insecure_defaults() == []
