#!/bin/sh
# Writes a result document the runner journals with the execution.
echo "report for ${GREETING} at ${ALMANAC_SCHEDULED_AT} (attempt ${ALMANAC_ATTEMPT})"
printf '{"message": "report built", "items": {"processed": 3, "succeeded": 3, "failed": 0}}' > "$ALMANAC_RESULT"
