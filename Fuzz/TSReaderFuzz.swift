// libFuzzer target: arbitrary bytes through the MPEG-TS reader, pushed in two parts (the
// split point taken from the first byte) so that the incremental paths are exercised too.
// Built by Fuzz/build.sh; run with Fuzz/run.sh.
import Containers

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTSReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) * bytes.count / 256
    var reader = TSReader()
    reader.push(bytes[..<split])
    DemuxEvent.drain { try reader.next() }
    reader.push(bytes[split...])
    reader.finish()
    DemuxEvent.drain { try reader.next() }
    return 0
}
