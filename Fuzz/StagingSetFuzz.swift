// libFuzzer target: arbitrary bytes as the files of a staging set. The input is cut into a
// track file, an .info file and an .mdat (two length bytes in front choose the cuts), written
// to a private folder, then opened and validated with payload checks, as mp4writer --recovery
// does. Built by Fuzz/build.sh; run with Fuzz/run.sh.
import Glibc
import MediaCore
import StagingWriter

private let folder: String = {
    var template = Array("/tmp/staging-fuzz-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStagingSet(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 2 else { return 0 }
    let body = Array(bytes[2...])
    let trackEnd = min(body.count, Int(bytes[0]) * 40 + 48)
    let infoEnd = min(body.count, trackEnd + Int(bytes[1]) * 4)
    let output = folder + "/f.mp4"
    let paths = StagingPaths(output: output)
    write(Array(body[..<trackEnd]), to: paths.track(1))
    write(Array(body[trackEnd..<infoEnd]), to: paths.info)
    write(Array(body[infoEnd...]), to: paths.mdat)
    if let set = try? StagingSet(output: output), let validation = try? set.validate(verifyPayloads: true) {
        for track in validation.tracks {
            try? set.forEachKeptSample(of: track) { record in _ = try set.readPayload(record) }
        }
    }
    return 0
}

private func write(_ bytes: [UInt8], to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return }
    _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    close(fd)
}
