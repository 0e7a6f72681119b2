#!/usr/bin/env bash
# Runs every test: unit, round-trip, crash, reliability (CI form) and interop (ffmpeg/ffprobe,
# GStreamer) suites. With CI=true a missing ffmpeg/ffprobe/GStreamer fails the interop tests
# instead of skipping them. Ends with one summary line: "tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
# The same flags for the build, the bin path and the test run: a different flag would make
# `swift test` build (and test) something else than what RECORDER_BIN_DIR names.
flags=()
swift build --build-tests "${flags[@]}" 2>&1 | grep -E "warning:|error:" || true
# The integration tests run the executables of exactly this build (Tests/TestSupport/TestPaths.swift).
RECORDER_BIN_DIR="$(swift build --show-bin-path "${flags[@]}")"
export RECORDER_BIN_DIR
status=0
# Only XCTest is used; --disable-swift-testing keeps an empty Swift Testing run out of the output.
swift test --disable-swift-testing "${flags[@]}" 2>&1 | tee "$log" | grep -vE "^Test Case '.*' (started|passed)" || status=$?
summary="$(grep -E "Executed [0-9]+ tests?, with" "$log" | tail -1 || true)"
rm -f "$log"
if [ -z "$summary" ]; then
  echo "tests: no XCTest summary (the build or the run failed)"
  exit 1
fi
executed="$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')"
failed="$(echo "$summary" | grep -oE '[0-9]+ failures?' | sed -n 1p | grep -oE '^[0-9]+')"
skipped="$(echo "$summary" | grep -oE '[0-9]+ tests? skipped' | grep -oE '^[0-9]+' || echo 0)"
echo "tests: $((executed - failed - skipped)) passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
