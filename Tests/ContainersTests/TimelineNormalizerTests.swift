import Containers
import MediaCore
import XCTest

/// The discontinuity policy on made-up timelines: a 25 fps video track at 90 kHz and a
/// 48 kHz AAC track, as MPEG-TS gives them.
final class TimelineNormalizerTests: XCTestCase {
    private let video = TrackDescription(trackID: 1, timescale: 90_000,
                                         sampleDescriptions: [SampleDescription(codec: .h264, configuration: [])])
    private let audio = TrackDescription(trackID: 2, timescale: 48_000,
                                         sampleDescriptions: [SampleDescription(codec: .aac, configuration: [])])

    private func videoFrame(_ dts: Int64, _ cts: Int64 = 0) -> DemuxEvent {
        .frame(MediaFrame(trackID: 1, dts: dts, pts: dts + cts, isKeyframe: false, payload: [0]))
    }

    private func audioFrame(_ time: Int64) -> DemuxEvent {
        .frame(MediaFrame(trackID: 2, dts: time, pts: time, isKeyframe: true, payload: [0]))
    }

    /// `seconds` of both tracks from `start` (seconds on the source's clock), interleaved.
    private func stream(from start: Double, seconds: Double) -> [DemuxEvent] {
        var events: [DemuxEvent] = []
        var v = Int64(start * 90_000), a = Int64(start * 48_000)
        let endV = v + Int64(seconds * 90_000)
        while v < endV {
            events.append(videoFrame(v, 7_200))
            v += 3_600
            while Double(a) / 48_000 < Double(v) / 90_000 {
                events.append(audioFrame(a))
                a += 1_024
            }
        }
        return events
    }

    private func run(_ normalizer: inout TimelineNormalizer, _ input: [DemuxEvent]) -> [DemuxEvent] {
        var output: [DemuxEvent] = []
        for event in input {
            var events = [event]
            normalizer.apply(&events)
            output += events
        }
        return output
    }

    private func jumps(_ events: [DemuxEvent]) -> [TimestampDiscontinuity] {
        events.compactMap { if case .discontinuity(let d) = $0 { return d } else { return nil } }
    }

    /// Per track: decoding times strictly increase, and the composition offsets are the source's.
    private func assertMonotonic(_ events: [DemuxEvent], file: StaticString = #filePath, line: UInt = #line) {
        var last: [UInt32: Int64] = [:]
        for frame in events.compactMap(\.frame) {
            if let previous = last[frame.trackID] {
                XCTAssertGreaterThan(frame.dts, previous, "track \(frame.trackID)", file: file, line: line)
            }
            last[frame.trackID] = frame.dts
            if frame.trackID == 1 { XCTAssertEqual(frame.pts - frame.dts, 7_200, file: file, line: line) }
        }
    }

    func testAContinuousStreamIsUntouched() {
        var normalizer = TimelineNormalizer()
        let input = [DemuxEvent.track(video), .track(audio)] + stream(from: 1.4, seconds: 3)
        XCTAssertEqual(run(&normalizer, input), input)
    }

    func testAnEncoderRestartContinuesEveryTrackOneFrameOn() {
        var normalizer = TimelineNormalizer()
        let output = run(&normalizer, [.track(video), .track(audio)] + stream(from: 100, seconds: 2) + stream(from: 1.4, seconds: 2))
        let found = jumps(output)
        XCTAssertEqual(found.map(\.trackID).sorted(), [1, 2], "one event per track")
        XCTAssertEqual(found.map(\.cause), [.backward, .backward])
        XCTAssertEqual(found[0].offsetSeconds, found[1].offsetSeconds, accuracy: 0.04, "tracks that ended together go on together")
        XCTAssertEqual(found[0].foundSeconds, 1.4, accuracy: 0.001)
        XCTAssertEqual(found[0].expectedSeconds, 102, accuracy: 0.05)
        assertMonotonic(output)
        XCTAssertEqual(output.compactMap(\.frame).count, 2 * stream(from: 0, seconds: 2).count, "every frame kept")
    }

    func testForwardGapsUpToFiveSecondsStayAndLongerOnesClose() {
        var normalizer = TimelineNormalizer()
        let short = run(&normalizer, [.track(video), .track(audio)] + stream(from: 10, seconds: 1) + stream(from: 14, seconds: 1))
        XCTAssertEqual(jumps(short), [], "3 s of lost frames stay a gap")
        XCTAssertEqual(short.compactMap(\.frame).last.map { Double($0.dts) }, stream(from: 14, seconds: 1).compactMap(\.frame).last.map { Double($0.dts) })

        let long = run(&normalizer, stream(from: 3_615, seconds: 1))
        XCTAssertEqual(jumps(long).map(\.cause), [.forward, .forward])
        let first = long.compactMap(\.frame).first { $0.trackID == 1 }!
        XCTAssertEqual(Double(first.dts) / 90_000, 15, accuracy: 0.05, "an hour of nothing is closed")
        assertMonotonic(short + long)
    }

    func testAJumpOnOneTrackMovesThatTrackOnly() {
        var normalizer = TimelineNormalizer()
        var input: [DemuxEvent] = [.track(video), .track(audio)] + stream(from: 1, seconds: 2)
        // Audio jumps 10 s ahead at 3 s; video goes on.
        for event in stream(from: 3, seconds: 2) {
            guard case .frame(var frame) = event else { continue }
            if frame.trackID == 2 { frame.dts += 480_000; frame.pts += 480_000 }
            input.append(.frame(frame))
        }
        let output = run(&normalizer, input)
        XCTAssertEqual(jumps(output).map(\.trackID), [2])
        XCTAssertEqual(jumps(output).first?.cause, .forward)
        assertMonotonic(output)
        let lastVideo = output.compactMap(\.frame).last { $0.trackID == 1 }!
        let lastAudio = output.compactMap(\.frame).last { $0.trackID == 2 }!
        XCTAssertEqual(Double(lastVideo.dts) / 90_000, 4.96, accuracy: 0.001, "video untouched")
        XCTAssertEqual(Double(lastAudio.dts) / 48_000, 5, accuracy: 0.05, "audio back beside the video")
    }

    func testJitterIsSmoothedWithoutEvents() {
        var normalizer = TimelineNormalizer()
        var input: [DemuxEvent] = [.track(video), .track(audio)]
        for (i, event) in stream(from: 2, seconds: 3).enumerated() {
            guard case .frame(var frame) = event else { continue }
            let jitter = Int64([0, 30, -45, 12, -20, 44, -38][i % 7]) * Int64(frame.trackID == 1 ? 90 : 48)
            frame.dts += jitter
            frame.pts += jitter
            input.append(.frame(frame))
        }
        let output = run(&normalizer, input)
        XCTAssertEqual(jumps(output), [])
        assertMonotonic(output)
        XCTAssertEqual(output.compactMap(\.frame).count, input.compactMap(\.frame).count)
    }

    func testADiscontinuityIndicatorMakesASmallStepBackADiscontinuity() {
        var normalizer = TimelineNormalizer()
        var output = run(&normalizer, [.track(video)] + stream(from: 5, seconds: 1).filter { $0.frame?.trackID == 1 })
        normalizer.expectDiscontinuity(trackID: 1)
        output += run(&normalizer, stream(from: 5.8, seconds: 1).filter { $0.frame?.trackID == 1 })
        XCTAssertEqual(jumps(output).map(\.cause), [.indicator])
        assertMonotonic(output)
        // Without the indicator, 0.16 s back is jitter: smoothed, no event.
        var plain = TimelineNormalizer()
        let smoothed = run(&plain, [.track(video)] + stream(from: 5, seconds: 1).filter { $0.frame?.trackID == 1 }
                                    + stream(from: 5.8, seconds: 1).filter { $0.frame?.trackID == 1 })
        XCTAssertEqual(jumps(smoothed), [])
    }
}
