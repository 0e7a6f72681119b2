// libFuzzer target: arbitrary bytes as what a camera sends over an RTSP TCP connection
// (responses, an SDP, interleaved RTP/RTCP) through the message decoder, the SDP parser, the
// track formats, the depacketizers and the decode-time ordering (RTSPCaptureReplay), pushed
// in two parts (the split point taken from the first byte). Built by Fuzz/build.sh; run with
// Fuzz/run.sh.
import RTSP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRTSP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) * bytes.count / 256
    var replay = RTSPCaptureReplay()
    replay.push(bytes[..<split], arrival: 0) { _ in }
    replay.push(bytes[split...], arrival: 1) { _ in }
    replay.finish { _ in }
    return 0
}
