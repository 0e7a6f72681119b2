import Foundation
import MediaCore
@testable import Recorder
import TestSupport
import XCTest

/// A kill -9 loses only what is still in user space. The staging writer hands its buffers to
/// the kernel as frames come; the queued chunk writer also flushes `flushDeadline` after a
/// frame whatever follows, so the last frames of a burst (a source that then pauses) reach
/// the kernel without waiting for the next frame.
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
}
