"""Log records never carry NIKs, KK numbers or phone numbers in full."""

import logging
from collections.abc import Mapping

from balai.sentry import scrub_text


class ScrubPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub_text(record.msg)
        if isinstance(record.args, Mapping):
            # logger.info("%(name)s", {...}) (Celery's task log lines): keep it a mapping,
            # or formatting fails with "format requires a mapping".
            record.args = {
                k: scrub_text(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        elif record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(scrub_text(a) if isinstance(a, str) else a for a in args)
        return True
