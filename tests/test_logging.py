import logging


def test_log_lines_never_carry_a_nik_or_a_phone_number(caplog):
    from balai.logging_filters import ScrubPersonalDataFilter

    logger = logging.getLogger("balai.test")
    logger.addFilter(ScrubPersonalDataFilter())
    try:
        with caplog.at_level(logging.INFO, logger="balai.test"):
            logger.info("import failed for %s, phone %s", "1808115705900001", "081234567890")
            logger.info("raw 1808115705900002 and +6281234567890")
    finally:
        logger.filters.clear()
    text = caplog.text
    assert "1808115705900001" not in text and "1808115705900002" not in text
    assert "081234567890" not in text and "6281234567890" not in text
    assert "[nik/kk]" in text and "[phone]" in text
