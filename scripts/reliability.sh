#!/usr/bin/env bash
# The long form of the reliability suite (docs/reliability.md): 100 SIGKILL trials, 500
# power cuts, 30,000 mutations per reader (10,000 staging sets), the long-stream and full-disk tests, then each
# libFuzzer target for FUZZ_SECONDS (default 300). Prints the figures (lines starting
# "RELIABILITY" and "fuzz"). The CI form runs inside scripts/test.sh.
# Usage: scripts/reliability.sh [--no-fuzz]    (RELIABILITY_SEED=N replays a run)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-reliability
swift build --scratch-path "$scratch" --build-tests 2>&1 | grep -E "error:" || true
status=0
RELIABILITY_LONG=1 swift test --scratch-path "$scratch" --skip-build --filter ReliabilityTests 2>&1 \
    | tee /tmp/sr-reliability.log | grep -E "^RELIABILITY|error:|failed|SKIPPING|Executed .* tests" || true
if grep -qE "error: |unexpected signal|Executed [0-9]+ tests?, with [1-9]" /tmp/sr-reliability.log; then status=1; fi
if [[ "${1:-}" != "--no-fuzz" ]]; then
    Fuzz/build.sh
    Fuzz/run.sh "${FUZZ_SECONDS:-300}" || status=1
fi
exit $status
