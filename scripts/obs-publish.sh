#!/usr/bin/env bash
# OBS Studio publishes to the recorder: a real OBS (Debian's obs-studio, run under Xvfb with
# Mesa's software OpenGL) streams a scene (a color source and a looping media source playing an
# H.264 + AAC fixture) with x264 + FFmpeg AAC over RTMP to `recorder serve`, which records the
# stream to mp4 and flv at once. Each recording is checked with ffprobe and ffmpeg; one
# PASS/FAIL line per file.
#
# usage: scripts/obs-publish.sh [--install] [--recorder PATH] [--seconds N] [--fixture FILE] [--keep]
#                                [--publish-key KEY]
#   --install        apt-get install obs-studio xvfb ffmpeg curl first (as root); nothing is
#                    installed without it
#   --recorder PATH  a built recorder (mp4writer must sit next to it); default: build both with
#                    `swift build --scratch-path .build-obs`
#   --seconds N      how long OBS streams once the stream is live (default 15)
#   --fixture FILE   the media source's file (default Tests/Fixtures/mp4/h264_aac.mp4)
#   --publish-key KEY  the record configs take publishKey=KEY and OBS's stream key is
#                    obs1?key=KEY (docs/security.md)
#   --keep           keep the work folder (logs, OBS config, recordings); it is always kept on FAIL
# Exit status: 0 all PASS, 1 a FAIL, 2 a missing tool or a setup step that failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INSTALL=0 RECORDER="" SECONDS_LIVE=15 KEEP=0 PUBLISH_KEY=""
FIXTURE="$ROOT/Tests/Fixtures/mp4/h264_aac.mp4"
while [ $# -gt 0 ]; do
    case "$1" in
        --install) INSTALL=1 ;;
        --recorder) RECORDER=$2; shift ;;
        --seconds) SECONDS_LIVE=$2; shift ;;
        --fixture) FIXTURE=$2; shift ;;
        --keep) KEEP=1 ;;
        --publish-key) PUBLISH_KEY=$2; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "obs-publish: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

say() { echo "obs-publish: $*"; }
die() { echo "obs-publish: $*" >&2; exit 2; }

if [ "$INSTALL" = 1 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q obs-studio xvfb ffmpeg curl >/dev/null
fi
for tool in obs Xvfb ffmpeg ffprobe curl; do
    command -v "$tool" >/dev/null || die "$tool not found (run with --install, as root: apt-get install obs-studio xvfb ffmpeg curl)"
done
[ -f "$FIXTURE" ] || die "no fixture $FIXTURE"
FIXTURE=$(cd "$(dirname "$FIXTURE")" && pwd)/$(basename "$FIXTURE")

if [ -z "$RECORDER" ]; then
    scratch="$ROOT/.build-obs"
    for product in recorder mp4writer; do
        # One retry: a source file saved by an editor during the build fails it once.
        (cd "$ROOT" && { swift build -q --scratch-path "$scratch" --product "$product" ||
                         swift build -q --scratch-path "$scratch" --product "$product"; }) >&2 ||
            die "swift build --product $product failed"
    done
    RECORDER="$(cd "$ROOT" && swift build --scratch-path "$scratch" --show-bin-path)/recorder"
fi
[ -x "$RECORDER" ] || die "no recorder at $RECORDER"
[ -x "$(dirname "$RECORDER")/mp4writer" ] || die "no mp4writer next to $RECORDER"

WORK=$(mktemp -d /tmp/obs-publish.XXXXXX)
MEDIA=$WORK/media STATE=$WORK/state OBSHOME=$WORK/home
OBSCONF=$OBSHOME/.config/obs-studio
mkdir -p "$MEDIA" "$STATE" "$OBSCONF/basic/profiles/obsrec" "$OBSCONF/basic/scenes"
SERVER_PID="" XVFB_PID="" OBS_PID="" STATUS=2

stop_pid() { # PID [seconds before SIGKILL]
    local pid=$1 wait=${2:-10} i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop_pid "$OBS_PID" 5
    stop_pid "$SERVER_PID" 10
    stop_pid "$XVFB_PID" 5
    if [ "$KEEP" = 1 ] || [ "$STATUS" != 0 ]; then
        say "work folder kept: $WORK (server.log, obs.log, obs-stdout.log, media/)"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# --- the recorder, on free ports; the ports come from its startup line
"$RECORDER" serve --rtmp-host 127.0.0.1 --rtmp-port 0 --http-port 0 --cli-port 0 \
    --media "$MEDIA" --state "$STATE" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "recorder started:" "$WORK/server.log" && break; sleep 0.1; done
HTTP_PORT=$(sed -n 's/.*recorder started: http=[0-9.]*:\([0-9]*\) .*/\1/p' "$WORK/server.log")
RTMP_PORT=$(sed -n 's/.*recorder started: .* rtmp=[0-9.]*:\([0-9]*\) .*/\1/p' "$WORK/server.log")
[ -n "$HTTP_PORT" ] && [ -n "$RTMP_PORT" ] || die "recorder did not start: $(tail -3 "$WORK/server.log")"
api() { curl -sS --max-time 10 "http://127.0.0.1:$HTTP_PORT/$1"; }

STREAM=obs1
for type in mp4 flv; do
    answer=$(api "record?localStreamName=$STREAM&pathToFile=${STREAM}_$type&type=$type${PUBLISH_KEY:+&publishKey=$PUBLISH_KEY}")
    case "$answer" in *'"status":"SUCCESS"'*) ;; *) die "record $type: $answer" ;; esac
done

# --- OBS's configuration: global.ini picks the profile and the scene collection; the profile
# streams with the simple output mode (x264 CBR, AAC 128k) to a custom RTMP server.
cat >"$OBSCONF/global.ini" <<EOF
[General]
FirstRun=true
EnableAutoUpdates=false
ConfirmOnExit=false
[Basic]
Profile=obsrec
ProfileDir=obsrec
SceneCollection=obsrec
SceneCollectionFile=obsrec
[BasicWindow]
SysTrayEnabled=false
WarnBeforeStartingStream=false
WarnBeforeStoppingStream=false
EOF
cat >"$OBSCONF/basic/profiles/obsrec/basic.ini" <<EOF
[General]
Name=obsrec
[Output]
Mode=Simple
[SimpleOutput]
VBitrate=1500
ABitrate=128
StreamEncoder=x264
Preset=veryfast
[Video]
BaseCX=640
BaseCY=360
OutputCX=640
OutputCY=360
FPSType=0
FPSCommon=30
[Audio]
SampleRate=48000
ChannelSetup=Stereo
EOF
printf '{"type":"rtmp_custom","settings":{"server":"rtmp://127.0.0.1:%s/live","key":"%s","use_auth":false}}\n' \
    "$RTMP_PORT" "$STREAM${PUBLISH_KEY:+?key=$PUBLISH_KEY}" >"$OBSCONF/basic/profiles/obsrec/service.json"
item() { # NAME ID SCALE_X SCALE_Y
    printf '{"name":"%s","id":%s,"visible":true,"locked":false,"pos":{"x":0,"y":0},"scale":{"x":%s,"y":%s},"rot":0,"align":5,"bounds_type":0,"bounds":{"x":0,"y":0},"crop_left":0,"crop_top":0,"crop_right":0,"crop_bottom":0}' "$@"
}
fixture_json=$(printf '%s' "$FIXTURE" | sed 's/\\/\\\\/g; s/"/\\"/g')
cat >"$OBSCONF/basic/scenes/obsrec.json" <<EOF
{"name":"obsrec","current_scene":"Scene","current_program_scene":"Scene","scene_order":[{"name":"Scene"}],
 "groups":[],"quick_transitions":[],"transitions":[],"current_transition":"Fade","transition_duration":300,
 "sources":[
  {"id":"scene","versioned_id":"scene","name":"Scene","settings":{"id_counter":2,"custom_size":false,
   "items":[$(item Color 1 1 1),$(item Media 2 2 1.5)]}},
  {"id":"color_source","versioned_id":"color_source_v3","name":"Color","settings":{"color":4278190335,"width":640,"height":360}},
  {"id":"ffmpeg_source","versioned_id":"ffmpeg_source","name":"Media","volume":1.0,"muted":false,"monitoring_type":0,
   "settings":{"is_local_file":true,"local_file":"$fixture_json","looping":true,"restart_on_activate":true,"close_when_inactive":false}}
 ]}
EOF

# --- Xvfb on a free display (it writes the number to fd 3 once it accepts clients), then OBS
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp 3>"$WORK/display" >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/display" ] && break; sleep 0.1; done
DISPLAY_NUM=$(tr -dc 0-9 <"$WORK/display")
[ -n "$DISPLAY_NUM" ] || die "Xvfb did not start: $(tail -3 "$WORK/xvfb.log")"

env -u WAYLAND_DISPLAY HOME="$OBSHOME" XDG_CONFIG_HOME="$OBSHOME/.config" DISPLAY=":$DISPLAY_NUM" \
    LIBGL_ALWAYS_SOFTWARE=1 QT_QPA_PLATFORM=xcb \
    obs --startstreaming --minimize-to-tray --multi --disable-missing-files-check \
    >"$WORK/obs-stdout.log" 2>&1 </dev/null &
OBS_PID=$!
obs_log() { ls -t "$OBSCONF"/logs/*.txt 2>/dev/null | head -1 || true; }

live=""
for _ in $(seq 1 600); do # 60 s: OBS starts in about a second under llvmpipe
    streams=$(api listStreams 2>/dev/null || true)
    # Live once both tracks' codecs are known (the first media messages have arrived).
    case "$streams" in *'"active":true,"audio":"aac'*"\"localStreamName\":\"$STREAM\""*'"video":"h264'*) live=1; break ;; esac
    kill -0 "$OBS_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$live" ]; then
    say "OBS did not go live; its last lines:"
    tail -15 "$WORK/obs-stdout.log" >&2
    echo "FAIL ${STREAM}_mp4.mp4: OBS did not publish"
    echo "FAIL ${STREAM}_flv.flv: OBS did not publish"
    STATUS=1; exit 1
fi
start=$(date +%s.%N)
say "live: $(printf '%s' "$streams" | sed -n 's/.*"data":\[\(.*\)\].*/\1/p')"
sleep "$SECONDS_LIVE"
stop=$(date +%s.%N)
kill -INT "$OBS_PID" 2>/dev/null || true # OBS stops the stream (FCUnpublish, deleteStream) and quits
for _ in $(seq 1 300); do kill -0 "$OBS_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$OBS_PID" 2>/dev/null; then say "OBS still running 30 s after SIGINT; killed"; fi
stop_pid "$OBS_PID" 1; OBS_PID=""
streamed=$(awk -v a="$start" -v b="$stop" 'BEGIN{printf "%.3f", b - a}')

LOG=$(obs_log)
[ -n "$LOG" ] && cp "$LOG" "$WORK/obs.log"
say "$(grep -m1 -o 'OBS [0-9][^ ]* ([a-z]*)' "$WORK/obs.log" 2>/dev/null || echo 'OBS version: no log'); renderer: $(grep -m1 -o 'adapter .*' "$WORK/obs.log" 2>/dev/null || echo '?')"
say "encoders: $(grep -o -E '\[(x264|FFmpeg aac) encoder[^]]*\] (preset|bitrate): .*' "$WORK/obs.log" 2>/dev/null | tr '\n' ';' || true)"
obs_frames=$(sed -n "s/.*Output 'simple_stream': Total frames output: \([0-9]*\).*/\1/p" "$WORK/obs.log" 2>/dev/null | tail -1 || true)
say "OBS sent ${obs_frames:-?} video frames in $streamed s of streaming"

# The stream ends; the MP4 is finalized by mp4writer, the FLV closed.
for _ in $(seq 1 300); do
    grep -q "\"event\":\"recordChunkFinalized\".*${STREAM}_mp4.mp4" "$WORK/server.log" &&
        grep -q "\"event\":\"recordChunkClosed\".*${STREAM}_flv.flv" "$WORK/server.log" && break
    sleep 0.1
done
api shutdownServer >/dev/null 2>&1 || true
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
stop_pid "$SERVER_PID" 5; SERVER_PID=""
server_problems=$(grep -E 'rtmpMediaDropped|recordChunkError|"level":"error"|ERROR' "$WORK/server.log" || true)

# --- checks
STATUS=0
check() { # FILE
    local file=$1 name problems=() info dur video audio complaints packets
    name=$(basename "$file")
    if [ ! -s "$file" ]; then echo "FAIL $name: no file"; STATUS=1; return; fi
    info=$(ffprobe -v error -show_entries stream=codec_type,codec_name,width,height,sample_rate,channels \
        -show_entries format=duration -of compact "$file" 2>&1) || problems+=("ffprobe failed")
    video=$(printf '%s\n' "$info" | grep -c 'codec_name=h264|codec_type=video' || true)
    audio=$(printf '%s\n' "$info" | grep -c 'codec_name=aac|codec_type=audio' || true)
    [ "$video" = 1 ] || problems+=("H.264 video tracks: $video")
    [ "$audio" = 1 ] || problems+=("AAC audio tracks: $audio")
    complaints=$(ffmpeg -nostdin -v error -i "$file" -f null - 2>&1 | head -3)
    [ -z "$complaints" ] || problems+=("ffmpeg: $complaints")
    dur=$(printf '%s\n' "$info" | sed -n 's/^format|duration=\([0-9.]*\).*/\1/p')
    if [ -z "$dur" ] || ! awk -v d="$dur" -v s="$streamed" 'BEGIN{exit !(d > s - 1.5 && d < s + 1.0)}'; then
        problems+=("duration ${dur:-?} s, streamed $(printf '%.1f' "$streamed") s")
    fi
    starts=$(ffprobe -v error -show_entries stream=start_time -of csv=p=0 "$file" 2>/dev/null | tr '\n' ' ')
    if ! awk -v s="$starts" 'BEGIN{n=split(s, t, " "); exit !(n == 2 && t[1] - t[2] < 0.1 && t[2] - t[1] < 0.1)}'; then
        problems+=("track start times $starts")
    fi
    packets=$(ffprobe -v error -select_streams v -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$file" 2>/dev/null | head -1)
    if [ -n "$obs_frames" ] && [ "$packets" != "$obs_frames" ]; then
        problems+=("video frames $packets, OBS sent $obs_frames")
    fi
    [ -z "$server_problems" ] || problems+=("server log: $(printf '%s' "$server_problems" | head -1 | cut -c1-200)")
    if [ ${#problems[@]} = 0 ]; then
        echo "PASS $name: h264 + aac, $(printf '%.2f' "$dur") s (streamed $(printf '%.2f' "$streamed") s), $packets video frames, ffmpeg decodes it silently"
    else
        local IFS=';'; echo "FAIL $name: ${problems[*]}"; STATUS=1
    fi
}
check "$MEDIA/${STREAM}_mp4.mp4"
check "$MEDIA/${STREAM}_flv.flv"
exit "$STATUS"
