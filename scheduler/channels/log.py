"""The log channel: one structured (JSON) line per reminder, for deployments that ship logs
to their own alerting, and as the safe default when nothing else is configured."""

from __future__ import annotations

import json
import logging

from scheduler.notice import Notice

logger = logging.getLogger("councilflow.reminders")


class LogChannel:
    name = "log"

    def send(self, notice: Notice) -> None:
        record = {"event": "reminder", "idempotency_key": str(notice.reminder_id)}
        record.update(notice.as_json())
        logger.info(json.dumps(record, sort_keys=True, ensure_ascii=False))

    def close(self) -> None:
        return None
