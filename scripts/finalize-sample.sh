#!/usr/bin/env bash
# The main job on a sample: mp4writer finalizes a copy of a SampleStaging set into a fast-start
# MP4, then ffprobe describes it. Usage: scripts/finalize-sample.sh [h264_aac|h265_aac|aac_only|h264_only]
set -euo pipefail
cd "$(dirname "$0")/.."
set_name="${1:-h264_aac}"
# Statically linked Swift runtime: the recorder starts mp4writer once per chunk, and the
# shared runtime costs milliseconds of dynamic linking at every start (docs/benchmarks.md).
swift build -c release --static-swift-stdlib --product mp4writer >/dev/null
work="$(mktemp -d)"
cp SampleStaging/"$set_name"/recording.mp4.* "$work"/
.build/release/mp4writer -path="$work/recording.mp4"
if command -v ffprobe >/dev/null; then
  ffprobe -v error -show_entries format=duration,size:stream=codec_name,width,height,sample_rate,nb_frames,start_time,duration \
    -of compact "$work/recording.mp4"
else
  echo "(ffprobe not installed: apt-get install ffmpeg to check the file)"
fi
echo "output: $work/recording.mp4"
