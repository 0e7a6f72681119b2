#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS (default 120) with a seed corpus made from the
# fixtures, and prints one summary line per target: executions, corpus, crashes.
# Usage: Fuzz/run.sh [SECONDS] [BUILD_DIR]   (build first with Fuzz/build.sh)
#        FUZZ_TARGETS="RTMPSessionFuzz" Fuzz/run.sh 60   runs only the named targets
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-120}
out=$(realpath -m "${2:-$root/.build-fuzz}")   # absolute: the targets run from $work
work=$out/work
mkdir -p "$work"

seed() {   # seed TARGET FILES...: 64 KiB prefixes of the given files as the starting corpus
    local dir=$work/$1-corpus
    mkdir -p "$dir"
    shift
    for f in "$@"; do head -c 65536 "$f" > "$dir/$(basename "$f")"; done
    echo "$dir"
}
ts=$(seed TSReaderFuzz "$root"/Tests/Fixtures/ts/*.ts)
flv=$(seed FLVReaderFuzz "$root"/Tests/Fixtures/flv/*.flv)
# An RTMP input: a piece-size byte (0xFF: 4096-byte pieces), then what ffmpeg sent after the
# handshake (Tests/Fixtures/rtmp/README.md); also with 1-byte pieces.
rtmp=$work/RTMPSessionFuzz-corpus
mkdir -p "$rtmp"
{ printf '\xff'; head -c 65535 "$root/Tests/Fixtures/rtmp/ffmpeg_publish.bin"; } > "$rtmp/ffmpeg_publish"
{ printf '\x00'; head -c 65535 "$root/Tests/Fixtures/rtmp/ffmpeg_publish.bin"; } > "$rtmp/ffmpeg_publish_bytewise"
# A staging input: two cut bytes, then the track file, .info and .mdat of a sample set.
staging=$work/StagingSetFuzz-corpus
mkdir -p "$staging"
set_dir=$root/SampleStaging/h264_only
track_units=$(( ($(stat -c %s "$set_dir/recording.mp4.track1") - 48) / 40 ))
info_words=$(( $(stat -c %s "$set_dir/recording.mp4.info") / 4 ))
if (( track_units < 256 && info_words < 256 )); then
    { printf "\\x$(printf %02x $track_units)\\x$(printf %02x $info_words)"
      cat "$set_dir/recording.mp4.track1" "$set_dir/recording.mp4.info"; head -c 32768 "$set_dir/recording.mp4.mdat"; } > "$staging/h264_only"
fi
# An RTSP input: a split byte, then what gst-rtsp-server sent our client (Tests/Fixtures/rtsp).
rtsp=$work/RTSPFuzz-corpus
mkdir -p "$rtsp"
{ printf '\x80'; head -c 65535 "$root/Tests/Fixtures/rtsp/camera_h264_aac.bin"; } > "$rtsp/camera_h264_aac"

status=0
targets=${FUZZ_TARGETS:-TSReaderFuzz FLVReaderFuzz StagingSetFuzz RTMPSessionFuzz RTSPFuzz}
for target in $targets; do
    corpus=$work/$target-corpus
    log=$work/$target.log
    (cd "$work" && "$out/$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "$corpus" > "$log" 2>&1)
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    crashes=$(ls "$work"/crash-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | wc -l)
    echo "fuzz $target: ${seconds} s, ${runs:-?} executions, corpus $(ls "$corpus" | wc -l), exit $rc, crash/timeout/oom files so far: $crashes"
    (( rc == 0 )) || status=1
done
exit $status
