import Foundation
import MediaCore
@testable import Recorder
import TestSupport
import XCTest

/// A kill -9 loses only what is still in user space. The staging writer hands its buffers to
/// the kernel as frames come; the recording's writer queue also flushes a chunk at the end of
/// the drain that wrote its frames, whatever follows, so the last frames of a burst (a source
/// that then pauses) reach the kernel without waiting for the next frame.
final class QueuedChunkWriterFlushTests: XCTestCase {
    private typealias P = RecordingPieces

    func testTheLastFramesReachTheKernelWithoutAnotherFrame() throws {
        let path = TestPaths.temporaryDirectory("flush-deadline") + "/cam.mp4"
        let recording = RecordingWriter()
        let chunk = QueuedChunkWriter(path: path, tracks: [P.video], type: .mp4, winQtCompat: false,
                                      on: recording, make: RecordingSession.defaultWriter)
        // A burst of three frames, then nothing: well under the staging writer's own intervals.
        for ms in [Int64(0), 40, 80] { try chunk.write(P.videoFrame(ms: ms, key: ms == 0, bytes: 1_000)) }
        recording.waitUntilIdle()

        let deadline = ContinuousClock.now + .seconds(5)
        var onDisk: Int64 = 0
        while ContinuousClock.now < deadline {
            onDisk = (try? FileDescriptor.open(path + ".mdat", .readOnly)).map { file in
                defer { try? file.close() }
                return (try? file.size()) ?? 0
            } ?? 0
            if onDisk == 3_000 { break }
            usleep(10_000)
        }
        XCTAssertEqual(onDisk, 3_000, "the burst's payloads are with the kernel while the chunk is still open")
        let closed = expectation(description: "closed")
        chunk.close { _ in closed.fulfill() }
        wait(for: [closed], timeout: 10)
    }

    /// The same without waiting for the queue: the drain that writes a burst (50 ms after its
    /// first frame) ends with the flush, for the staging writer and for FLV, which holds a
    /// drain's tags to write them in one call.
    func testABurstReachesTheKernelWhenItsDrainEnds() throws {
        for type in [RecordParameters.OutputType.mp4, .flv] {
            let path = TestPaths.temporaryDirectory("drain-flush") + "/cam.\(type.rawValue)"
            let recording = RecordingWriter()
            // AAC: the FLV muxer reads the codec configuration, which the video piece lacks.
            let chunk = QueuedChunkWriter(path: path, tracks: [P.audio], type: type, winQtCompat: false,
                                          on: recording, make: RecordingSession.defaultWriter)
            for ms in [Int64(0), 21, 42] { try chunk.write(P.audioFrame(ms: ms, bytes: 1_000)) }
            let written = type == .mp4 ? path + ".mdat" : path
            func size() -> Int64 {
                (try? FileDescriptor.open(written, .readOnly)).map { file in
                    defer { try? file.close() }
                    return (try? file.size()) ?? 0
                } ?? 0
            }
            // MP4: the payloads exactly; FLV: the header, and three tags of more than 1,000 bytes.
            let expected: (Int64) -> Bool = type == .mp4 ? { $0 == 3_000 } : { $0 > 3_000 }
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline, !expected(size()) { usleep(10_000) }
            XCTAssertTrue(expected(size()), "\(type): the burst is with the kernel while the chunk is open (\(size()) bytes)")
            let closed = expectation(description: "closed")
            chunk.close { result in
                if case .failure(let error) = result { XCTFail("\(type): \(error)") }
                closed.fulfill()
            }
            wait(for: [closed], timeout: 10)
        }
    }
}
