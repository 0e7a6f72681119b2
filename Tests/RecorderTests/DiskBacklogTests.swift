import Containers
import Foundation
import MediaCore
@testable import Recorder
import Operations
import Synchronization
import TestSupport
import XCTest

/// A disk that stalls on request: the recording's writer waits before its next job until
/// `release()` (RecordingWriter.Options.beforeEachJob).
private final class StalledDisk: Sendable {
    private struct State { var stalled = false; var waiting = false }
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    var isStalled: Bool { state.withLock { $0.stalled } }
    func stall() { state.withLock { $0.stalled = true } }

    func release() {
        let waiter = state.withLock { s -> Bool in
            s.stalled = false
            defer { s.waiting = false }
            return s.waiting
        }
        if waiter { wake.signal() }
    }

    /// The writer's hook.
    func pass() {
        let mustWait = state.withLock { s -> Bool in
            if s.stalled { s.waiting = true }
            return s.stalled
        }
        if mustWait { wake.wait() }
    }
}

/// Items gathered from other threads (events, log lines).
private final class Collected<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])
    func append(_ item: Item) { items.withLock { $0.append(item) } }
    var all: [Item] { items.withLock { $0 } }
}

/// The write-queue policy of docs/reliability.md: when the disk stalls, a live recording drops
/// the newest frames (with an event and a counter), its memory stays bounded, and the file goes
/// on cleanly from the next keyframe.
final class DiskBacklogTests: XCTestCase {
    static let fixture = "ts/h264_aac_10s.ts"   // GOP 25 at 25 fps: a keyframe each second
    static let queueLimit = 32 << 10             // 1.3 s of the fixture's 200 kbps

    // MARK: The gate alone

    func testTheGateDropsTheNewestFramesUntilAVideoKeyframeFits() {
        var gate = BacklogGate()
        XCTAssertEqual(gate.decide(bytes: 10, isVideo: true, isKeyframe: false, streamHasVideo: true, fits: true), .write)
        XCTAssertEqual(gate.decide(bytes: 20, isVideo: true, isKeyframe: false, streamHasVideo: true, fits: false), .drop)
        // Room again, but a P-frame or audio would have no picture to go with: still dropped.
        XCTAssertEqual(gate.decide(bytes: 30, isVideo: true, isKeyframe: false, streamHasVideo: true, fits: true), .drop)
        XCTAssertEqual(gate.decide(bytes: 5, isVideo: false, isKeyframe: true, streamHasVideo: true, fits: true), .drop)
        // A keyframe with no room is dropped too.
        XCTAssertEqual(gate.decide(bytes: 40, isVideo: true, isKeyframe: true, streamHasVideo: true, fits: false), .drop)
        XCTAssertEqual(gate.decide(bytes: 50, isVideo: true, isKeyframe: true, streamHasVideo: true, fits: true),
                       .resume(after: .init(frames: 4, bytes: 95)))
        XCTAssertEqual(gate.decide(bytes: 5, isVideo: false, isKeyframe: true, streamHasVideo: true, fits: true), .write)
        XCTAssertNil(gate.endOfFile())
    }

    func testAnAudioOnlyStreamResumesAtTheNextFrameThatFits() {
        var gate = BacklogGate()
        XCTAssertEqual(gate.decide(bytes: 7, isVideo: false, isKeyframe: true, streamHasVideo: false, fits: false), .drop)
        XCTAssertEqual(gate.decide(bytes: 7, isVideo: false, isKeyframe: true, streamHasVideo: false, fits: true),
                       .resume(after: .init(frames: 1, bytes: 7)))
    }

    func testARunStillDroppingWhenTheFileEndsIsReportedAndTheNextFileStartsAfresh() {
        var gate = BacklogGate()
        _ = gate.decide(bytes: 3, isVideo: true, isKeyframe: false, streamHasVideo: true, fits: false)
        XCTAssertEqual(gate.endOfFile(), .init(frames: 1, bytes: 3))
        XCTAssertEqual(gate.decide(bytes: 3, isVideo: true, isKeyframe: true, streamHasVideo: true, fits: true), .write)
    }

    // MARK: A recording on a stalled disk

    /// The fixture's events, and each frame's time in seconds from the first video frame.
    private func sourceEvents() throws -> [(event: DemuxEvent, seconds: Double?)] {
        var events: [DemuxEvent] = []
        var reader = StreamReader(input: .file(TestPaths.fixture(Self.fixture)))
        try reader.run { events.append($0) }
        var scales: [UInt32: UInt32] = [:]
        var video: Set<UInt32> = []
        var start: Double?
        return events.map { event in
            switch event {
            case .track(let track):
                scales[track.trackID] = track.timescale
                if track.kind == .video { video.insert(track.trackID) }
                return (event, nil)
            case .frame(let frame):
                let t = Double(frame.dts) / Double(scales[frame.trackID] ?? 1)
                if start == nil, video.contains(frame.trackID) { start = t }
                return (event, start.map { t - $0 })
            default:
                return (event, nil)
            }
        }
    }

    /// Delivers the fixture with the disk stalled from 3 s to 6 s of media: `settle` waits for
    /// the writer to catch up while the disk is not stalled, so only the stall can drop frames.
    private func deliverWithAStall(disk: StalledDisk, deliver: (DemuxEvent) throws -> Void, settle: () -> Void) throws {
        for (event, seconds) in try sourceEvents() {
            if let seconds {
                if seconds >= 3 && seconds < 6 && !disk.isStalled { disk.stall() }
                if seconds >= 6 && disk.isStalled {
                    disk.release()
                    settle()
                }
            }
            try deliver(event)
            if !disk.isStalled { settle() }
        }
    }

    /// The recorded video is the source's decoded frames in order, each once, in stretches
    /// that each start at a keyframe (every 25th frame): what dropping to the next keyframe
    /// leaves. Frames are dropped in decode order, so a stretch may end as a cut in decode
    /// order does (the crash trials allow the same at the end): the reference frame queued last,
    /// without the at most 2 B-frames presented before it. Returns the stretches (start, count)
    /// in source frame numbers, that last reference frame as a stretch of its own.
    private func assertStretchesStartAtKeyframes(_ output: String, file: StaticString = #filePath, line: UInt = #line) throws -> [(Int, Int)] {
        func md5s(_ path: String) throws -> [String] {
            try FFmpegCheck.frameHashes(path, stream: "v").map { String($0.split(separator: ",").last!).trimmingCharacters(in: .whitespaces) }
        }
        let source = try md5s(TestPaths.fixture(Self.fixture))
        let recorded = try md5s(output)
        var stretches: [(Int, Int)] = []
        var next = 0
        for hash in recorded {
            guard let index = source[next...].firstIndex(of: hash) else {
                XCTFail("a recorded frame is not the next source frame", file: file, line: line)
                return stretches
            }
            if index == next, !stretches.isEmpty { stretches[stretches.count - 1].1 += 1 } else { stretches.append((index, 1)) }
            next = index + 1
        }
        for (i, (start, count)) in stretches.enumerated() {
            if start % 25 == 0 { continue }
            let previousEnd = i > 0 ? stretches[i - 1].0 + stretches[i - 1].1 : 0
            let nextIsKeyframe = i + 1 < stretches.count && stretches[i + 1].0 % 25 == 0
            XCTAssertTrue(i > 0 && count == 1 && start - previousEnd <= 2 && nextIsKeyframe,
                          "a stretch starts at source frame \(start), neither at a keyframe nor as a decode-order cut: \(stretches)",
                          file: file, line: line)
        }
        return stretches
    }

    func testAStalledDiskDropsTheNewestFramesWithinTheBoundAndTheFileResumesAtTheNextKeyframe() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("backlog")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = StalledDisk()
        var options = RecordingWriter.Options()
        options.queueLimitBytes = Self.queueLimit
        options.beforeEachJob = { disk.pass() }
        let events = Collected<RecordingEvent>()
        let pool = FinalizerPool(mp4writerPath: TestPaths.executable("mp4writer"))
        let session = RecordingSession(parameters: RecordParameters(localStreamName: "cam", pathToFile: dir + "/cam"),
                                       resolvedPath: dir + "/cam", pool: pool, writerOptions: options,
                                       onEvent: { events.append($0) })
        var largestFrame = 0
        try deliverWithAStall(disk: disk, deliver: { event in
            if case .frame(let frame) = event { largestFrame = max(largestFrame, frame.payload.count) }
            try session.handle(event)
        }, settle: { session.recordingWriter.waitUntilIdle() })
        try session.finish()
        pool.waitUntilIdle()

        // One stretch dropped, reported once; memory held to the bound meanwhile.
        let dropped = events.all.compactMap { event -> (frames: Int, bytes: Int)? in
            if case let .framesDropped(_, frames, bytes) = event { return (frames, bytes) }
            return nil
        }
        XCTAssertEqual(dropped.count, 1, "\(events.all)")
        XCTAssertGreaterThan(dropped.first?.frames ?? 0, 25, "a stall of 3 s at a 1.3 s queue drops over a second of frames")
        XCTAssertEqual(session.droppedFrames, dropped.first?.frames)
        XCTAssertLessThanOrEqual(session.recordingWriter.peakQueuedBytes, max(Self.queueLimit, largestFrame))
        XCTAssertGreaterThan(session.recordingWriter.peakQueuedBytes, Self.queueLimit / 2, "the stall filled the queue")

        // The file is whole: it decodes silently, and goes on at the keyframe after the stall.
        let output = dir + "/cam.mp4"
        XCTAssertTrue(events.all.contains(.chunkFinalized(path: output)), "\(events.all)")
        XCTAssertEqual(try FFmpegCheck.complaints(output), "")
        let stretches = try assertStretchesStartAtKeyframes(output)
        XCTAssertEqual(stretches.filter { $0.0 % 25 == 0 }.count, 2, "before the stall, and from the keyframe after it: \(stretches)")
        XCTAssertEqual(stretches.first?.0, 0)
        XCTAssertEqual(stretches.last?.0, 150, "resumed at the 6 s keyframe, when the disk came back")
        XCTAssertEqual(stretches.last.map { $0.0 + $0.1 }, 250, "recorded to the end of the source")
    }

    /// The same stall through the engine: a `framesDropped` event in the event stream and the
    /// `recorder_frames_dropped_total` counter of /metrics, and a complete recording.
    func testTheEngineReportsDroppedFramesAsAnEventAndACounter() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("backlog-engine")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (engine, disk, lines, operations) = try Self.engineOnAStalledDisk(dir: dir)
        _ = try engine.record(RecordParameters(localStreamName: "cam", pathToFile: dir + "/media/cam"))
        try engine.streamStarted("cam", source: "test")
        // The engine's sessions are its own: wait for the stalled writer by its queued jobs'
        // effect, a short pause after each frame while the disk is not stalled.
        try deliverWithAStall(disk: disk, deliver: { engine.streamEvent("cam", $0) },
                              settle: { Thread.sleep(forTimeInterval: 0.002) })
        engine.streamEnded("cam")
        engine.shutdown()

        let droppedLines = lines.all.filter { $0.contains(#""event":"framesDropped""#) }
        XCTAssertFalse(droppedLines.isEmpty, lines.all.joined(separator: "\n"))
        let frames = droppedLines.compactMap { line -> Int? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertEqual(object?["stream"] as? String, "cam")
            return object?["frames"] as? Int
        }
        XCTAssertEqual(frames.count, droppedLines.count)
        XCTAssertEqual(operations.metrics.value("recorder_frames_dropped_total"), Double(frames.reduce(0, +)))
        XCTAssertTrue(operations.metricsText().contains("recorder_frames_dropped_total"))

        let output = dir + "/media/cam.mp4"
        XCTAssertEqual(try FFmpegCheck.complaints(output), "")
        let stretches = try assertStretchesStartAtKeyframes(output)
        XCTAssertGreaterThanOrEqual(stretches.filter { $0.0 % 25 == 0 }.count, 2, "the stall left a gap: \(stretches)")
        XCTAssertEqual(stretches.last.map { $0.0 + $0.1 }, 250, "recorded to the end of the source")
    }

    /// docs/recording.md's policy by transport: with the disk stalled, a UDP stream (MPEG-TS over
    /// UDP, RTSP with RTP over UDP) drops at once, so its reader never stops reading the socket
    /// (a wait would only make the kernel drop datagrams unseen); a TCP stream's reader waits
    /// up to the backpressure timeout first. Both report the drop as an event and a counter.
    func testAUDPStreamDropsAtOnceWhereATCPStreamWaitsForRoom() throws {
        let dir = TestPaths.temporaryDirectory("backlog-transport")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (engine, disk, lines, operations) = try Self.engineOnAStalledDisk(dir: dir, backpressureTimeout: .milliseconds(600))
        // The first 3 s of the fixture with the disk stalled from the first frame on: far more
        // than the queue holds.
        let events = try sourceEvents().filter { $0.seconds.map { $0 < 3 } ?? true }.map(\.event)
        var longestDelivery: [IngestTransport: Duration] = [:]
        for transport in [IngestTransport.udp, .tcp] {
            let name = "cam_\(transport.rawValue)"
            _ = try engine.record(RecordParameters(localStreamName: name, pathToFile: dir + "/media/\(name)"))
            try engine.streamStarted(name, source: "rtsp", transport: transport)
            disk.stall()
            var longest = Duration.zero
            for event in events {
                let start = ContinuousClock.now
                engine.streamEvent(name, event)
                longest = max(longest, ContinuousClock.now - start)
            }
            disk.release()
            engine.streamEnded(name)
            longestDelivery[transport] = longest
        }
        engine.shutdown()

        XCTAssertLessThan(try XCTUnwrap(longestDelivery[.udp]), .milliseconds(300), "a UDP stream's frames are dropped at once")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(longestDelivery[.tcp]), .milliseconds(600),
                                    "a TCP stream's reader waits for room first")
        for name in ["cam_udp", "cam_tcp"] {
            let dropped = lines.all.filter { $0.contains(#""event":"framesDropped""#) && $0.contains(#""stream":"\#(name)""#) }
            XCTAssertFalse(dropped.isEmpty, "\(name): \(lines.all.joined(separator: "\n"))")
        }
        let frames = lines.all.filter { $0.contains(#""event":"framesDropped""#) }.compactMap { line -> Int? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["frames"] as? Int
        }
        XCTAssertEqual(operations.metrics.value("recorder_frames_dropped_total"), Double(frames.reduce(0, +)))
    }

    /// An engine whose recordings write through `disk` (stalled at will), its log lines and
    /// its operations (metrics); the writer's queue holds `queueLimit` bytes.
    private static func engineOnAStalledDisk(dir: String, backpressureTimeout: Duration? = nil) throws
        -> (RecorderEngine, StalledDisk, Collected<String>, RecorderOperations) {
        let disk = StalledDisk()
        var options = RecorderEngine.Options(mp4writerPath: TestPaths.executable("mp4writer"))
        options.recordingWriter.queueLimitBytes = queueLimit
        if let backpressureTimeout { options.recordingWriter.backpressureTimeout = backpressureTimeout }
        options.recordingWriter.beforeEachJob = { disk.pass() }
        let lines = Collected<String>()
        let engine = RecorderEngine(options: options, store: nil, log: { lines.append($0) })
        let operations = RecorderOperations(catalog: try RecordingCatalog(directory: dir + "/state"), policy: RetentionPolicy(),
                                            roots: [dir + "/media"], version: "test")
        engine.operations = operations
        return (engine, disk, lines, operations)
    }
}

/// The finalizer pool keeps chunks beyond its bound in a list: each one runs, in order, and
/// the pool is idle afterwards.
final class FinalizerPoolQueueTests: XCTestCase {
    func testChunksBeyondTheBoundWaitInOrderAndAllRun() throws {
        let done = Collected<String>()
        // `true` stands in for mp4writer: it takes the arguments and exits 0.
        let pool = FinalizerPool(mp4writerPath: try XCTUnwrap(ExternalTool.find("true")), concurrency: 1)
        let paths = (0..<12).map { "/nonexistent/chunk\($0).mp4" }
        for path in paths {
            pool.finalize(path) { result in
                XCTAssertTrue(result.succeeded, result.output)
                done.append(result.path)
            }
        }
        pool.waitUntilIdle()
        XCTAssertEqual(done.all, paths, "one runner finalizes the waiting chunks in order")
        XCTAssertEqual(pool.queueLength, 0)
        XCTAssertNil(pool.oldestRunStart)
    }
}
