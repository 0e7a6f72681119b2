import Containers

/// Plays back what a camera sent over one RTSP TCP connection (a capture, or a fuzzer's
/// bytes): messages are decoded, the first SDP body makes the tracks (channel 2n carries
/// track n's RTP, 2n+1 its RTCP, as a client asking for interleaved=0-1, 2-3, ... gets), and
/// RTP becomes `DemuxEvent`s. Damage is counted, never fatal: the same paths the recorder runs
/// on a live camera, without sockets.
public struct RTSPCaptureReplay {
    public private(set) var decoder = RTSPStreamDecoder()
    public private(set) var assembler: RTPStreamAssembler?
    public private(set) var messages = 0
    public private(set) var errors = 0
    /// Errors in a row after which `push` stops decoding what it was given: the recorder's
    /// rule for every reader.
    public static let maxErrorsInARow = DemuxEvent.maxErrorsInARow

    public init() {}

    /// Decodes `bytes` (pushed after what came before) and hands every event to `onEvent`.
    public mutating func push<C: Collection<UInt8>>(_ bytes: C, arrival: Double, _ onEvent: (DemuxEvent) -> Void) {
        decoder.push(bytes)
        var errorsInARow = 0
        while errorsInARow < Self.maxErrorsInARow {
            let item: RTSPStreamItem?
            do {
                item = try decoder.next()
                errorsInARow = 0
            } catch {
                errors += 1
                errorsInARow += 1
                // A head over the limit stays in the buffer: drop the decoder's input.
                if decoder.bufferedCount > decoder.limits.maxHeadBytes { decoder = RTSPStreamDecoder() }
                continue
            }
            guard let item else { return }
            switch item {
            case .message(let message):
                messages += 1
                guard assembler == nil, !message.body.isEmpty, let sdp = try? SessionDescription(parsing: message.body) else { continue }
                let tracks = sdp.media.enumerated().compactMap { index, media in
                    (try? RTPTrackFormat(media: media)).map { RTPStreamAssembler.Track(trackID: UInt32(index + 1), format: $0) }
                }
                guard !tracks.isEmpty, tracks.count == sdp.media.count, var made = try? RTPStreamAssembler(tracks: tracks) else { continue }
                made.start().forEach(onEvent)
                assembler = made
            case let .interleaved(channel, payload):
                guard assembler != nil else { continue }
                if channel % 2 == 0 {
                    assembler!.receiveRTP(payload, track: Int(channel / 2), arrival: arrival).forEach(onEvent)
                } else {
                    _ = assembler!.receiveRTCP(payload, track: Int(channel / 2))
                }
            }
        }
    }

    /// The end of the capture: what the depacketizers and decode-time ordering still hold.
    public mutating func finish(_ onEvent: (DemuxEvent) -> Void) {
        assembler?.finish().forEach(onEvent)
    }
}
