"""Log records never carry NIKs, KK numbers or phone numbers in full."""

import logging
from collections.abc import Mapping

from balai.sentry import scrub_text


class ScrubPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub_text(record.msg)
        if isinstance(record.args, Mapping):
            # logger.info("%(name)s", {...}) keeps its mapping (celery logs this way).
            record.args = {
                key: scrub_text(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
        elif record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(scrub_text(a) if isinstance(a, str) else a for a in args)
        return True
