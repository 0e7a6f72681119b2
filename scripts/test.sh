#!/usr/bin/env bash
# Runs every test: unit, round-trip, crash and interop (ffmpeg/ffprobe) suites.
# With CI=true a missing ffmpeg/ffprobe fails the interop suite instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests 2>&1 | tee /tmp/sr-build.log | grep -E "warning:|error:" | grep -v "should be located" || true
swift test 2>&1 | tee /tmp/sr-test.log | grep -vE "^Test Case '.*' (started|passed)" 
