import Containers
import Foundation
import MediaCore
@testable import Recorder
import Synchronization
import XCTest

/// A chunk writer that keeps what it is given (no disk).
private final class KeptFrames: Sendable {
    let frames = Mutex<[MediaFrame]>([])
}

private final class MemoryChunkWriter: ChunkWriter {
    let path: String
    let kept: KeptFrames
    var payloadBytes: UInt64 = 0
    init(path: String, kept: KeptFrames) { self.path = path; self.kept = kept }
    func write(_ frame: MediaFrame) throws { kept.frames.withLock { $0.append(frame) }; payloadBytes += UInt64(frame.payload.count) }
    func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws -> UInt16 { 2 }
    func flush() throws {}
    func close() throws {}
}

/// The stream's pre-roll is held only while no recording runs, and a recording attached
/// mid-stream starts from it, at the latest keyframe.
final class LiveStreamPrerollTests: XCTestCase {
    private typealias P = RecordingPieces

    func testARecordingTakesThePrerollAndTheStreamLetsGoOfItWhileItRuns() throws {
        let stream = LiveStream(name: "cam", source: "test", clientAddress: nil)
        let noFailure: (Int, any Error, inout LiveStream.State) -> Void = { _, error, _ in XCTFail("\(error)") }
        stream.deliver(.track(P.video), onFailure: noFailure)
        stream.deliver(.track(P.audio), onFailure: noFailure)
        var ms: Int64 = 0
        func deliverFor(_ seconds: Int64) {
            let end = ms + seconds * 1000
            while ms < end {
                stream.deliver(.frame(P.videoFrame(ms: ms, key: ms % 1000 == 0, bytes: 100)), onFailure: noFailure)
                stream.deliver(.frame(P.audioFrame(ms: ms + 5)), onFailure: noFailure)
                ms += 40
            }
        }
        deliverFor(2)
        stream.deliver(.frame(P.videoFrame(ms: ms, key: true, bytes: 100)), onFailure: noFailure)   // keyframe at 2 s
        ms += 40
        XCTAssertGreaterThan(stream.state.withLock { $0.prerollBytes }, 0)

        let kept = KeptFrames()
        try stream.state.withLock { state in
            let session = RecordingSession(parameters: RecordParameters(localStreamName: "cam", pathToFile: "/nonexistent/cam"),
                                           resolvedPath: "/nonexistent/cam", pool: nil,
                                           writerFactory: { _, path, _, _ in MemoryChunkWriter(path: path, kept: kept) })
            try state.attach(session, configId: 1)
        }
        XCTAssertEqual(stream.state.withLock { $0.prerollBytes }, 0, "the recording took the pre-roll")
        deliverFor(2)
        XCTAssertEqual(stream.state.withLock { $0.prerollBytes }, 0, "not held while a recording runs")

        try stream.state.withLock { state in
            for (_, session) in state.detachAll() { try session.finish() }
        }
        let first = kept.frames.withLock { $0.first { $0.trackID == 1 } }
        XCTAssertEqual(first?.isKeyframe, true)
        XCTAssertEqual(kept.frames.withLock { $0.filter { $0.trackID == 1 }.count }, 51, "from the 2 s keyframe to the end")

        // With no recording left, the stream holds a pre-roll again from the next keyframe.
        deliverFor(1)
        XCTAssertGreaterThan(stream.state.withLock { $0.prerollBytes }, 0)
    }
}
