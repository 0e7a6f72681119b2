#!/usr/bin/python3
"""A camera stand-in for the RTSP interop tests: Debian's gst-rtsp-server (through python3-gi)
serving live test streams the way IP cameras do.

  /usr/bin/python3 scripts/rtsp-camera.py [--port 0] [--auth none|basic|digest] [--user U --password P]

Mounts: /h264aac (H.264 + AAC as mpeg4-generic), /h264 (H.264 only), /h265 (H.265),
/h264latm (H.264 + AAC as MP4A-LATM), /h264pcmu (H.264 + G.711 mu-law). 320x240 at 25 fps,
a keyframe every second, no B-frames. Prints "ready PORT" once it serves; runs until killed.
Packages: python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-ugly
gstreamer1.0-plugins-bad gstreamer1.0-libav (.ci/run installs them).
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

VIDEO = ("videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 "
         "! timeoverlay ! ")
H264 = VIDEO + "x264enc tune=zerolatency bframes=0 key-int-max=25 speed-preset=ultrafast ! rtph264pay name=pay0 pt=96 config-interval=1 "
H265 = VIDEO + "x265enc tune=zerolatency key-int-max=25 speed-preset=ultrafast ! rtph265pay name=pay0 pt=96 config-interval=1 "
TONE = "audiotestsrc is-live=true wave=sine freq=440 ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! "
MOUNTS = {
    "/h264aac": H264 + TONE + "avenc_aac ! rtpmp4gpay name=pay1 pt=97",
    "/h264": H264,
    "/h265": H265,
    "/h264latm": H264 + TONE + "avenc_aac ! rtpmp4apay name=pay1 pt=97",
    "/h264pcmu": H264 + "audiotestsrc is-live=true wave=sine freq=440 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay name=pay1 pt=0",
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--auth", choices=["none", "basic", "digest"], default="none")
    parser.add_argument("--user", default="cam")
    parser.add_argument("--password", default="secret")
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    if args.auth != "none":
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "user")
        if args.auth == "basic":
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        else:
            auth.add_digest(args.user, args.password, token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        server.set_auth(auth)
    mounts = server.get_mount_points()
    for path, launch in MOUNTS.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch("( " + launch + " )")
        if args.auth != "none":
            role = Gst.Structure.from_string(
                "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0]
            factory.add_role_from_structure(role)
        mounts.add_factory(path, factory)
    if server.attach(None) == 0:
        print("cannot listen", file=sys.stderr)
        return 1
    print("ready", server.get_bound_port(), flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
