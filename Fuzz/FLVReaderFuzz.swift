// libFuzzer target: arbitrary bytes through the FLV reader (header, tags, AVC/HEVC/AAC
// sequence headers, AMF0 script data). Built by Fuzz/build.sh; run with Fuzz/run.sh.
import Containers

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFLVReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var reader = FLVReader()
    reader.push(bytes)
    DemuxEvent.drain { try reader.next() }
    _ = try? reader.finish()
    return 0
}
