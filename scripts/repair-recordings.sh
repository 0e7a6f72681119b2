#!/usr/bin/env bash
# Repairs every recording left as a staging set under a folder: finalizes the clean sets,
# recovers the damaged ones (a crash, a power cut), skips the ones a recorder is still writing,
# and removes what an interrupted finalize left. Safe to run at any time and as often as you
# like: a lock keeps two runs from overlapping, and a run with nothing to do changes nothing.
#
# usage: repair-recordings.sh [MEDIA_DIR]        (default /var/lib/recorder/media)
#
# environment:
#   MP4WRITER   the mp4writer binary         (default: mp4writer on PATH)
#   LOCK_FILE   the lock shared by all runs  (default: /run/lock/repair-recordings.lock,
#               or /tmp/repair-recordings.lock where /run/lock is not writable)
#
# exit code: mp4writer --batch's (0 all clean, 4 some recovered with losses, 1 some need a
# person: see the lines marked FAILED or "nothing recoverable"); 0 when another run holds the lock.
#
# From cron, every 10 minutes, logging to a file (crontab -e):
#   */10 * * * * /opt/recorder/scripts/repair-recordings.sh /srv/media >>/var/log/repair-recordings.log 2>&1
#
# At boot, before the recorder starts (systemd unit, Type=oneshot):
#   [Unit]
#   Description=Repair recordings interrupted by a crash or power cut
#   Before=recorder.service
#   [Service]
#   Type=oneshot
#   ExecStart=/opt/recorder/scripts/repair-recordings.sh /srv/media
#   [Install]
#   WantedBy=multi-user.target
set -uo pipefail

media_dir="${1:-/var/lib/recorder/media}"
mp4writer="${MP4WRITER:-mp4writer}"
if [[ -z "${LOCK_FILE:-}" ]]; then
  if [[ -w /run/lock ]]; then LOCK_FILE=/run/lock/repair-recordings.lock; else LOCK_FILE=/tmp/repair-recordings.lock; fi
fi

stamp() { date '+%Y-%m-%d %H:%M:%S'; }

# One run at a time: the lock is held on descriptor 9 until this script exits, and released by
# the kernel even if the script is killed. -n: a second run gives up at once instead of queueing.
exec 9>>"$LOCK_FILE" || { echo "$(stamp) cannot open lock file $LOCK_FILE" >&2; exit 1; }
if ! flock -n 9; then
  echo "$(stamp) another repair is already running (lock $LOCK_FILE held); nothing done"
  exit 0
fi

echo "$(stamp) repairing recordings under $media_dir"
"$mp4writer" --batch "$media_dir"
status=$?
case $status in
  0) echo "$(stamp) done: every set finalized (or still being recorded)" ;;
  4) echo "$(stamp) done: some recordings were recovered with losses (see the damage lines above)" ;;
  *) echo "$(stamp) some recordings need attention (exit $status): see the lines above" >&2 ;;
esac
exit $status
