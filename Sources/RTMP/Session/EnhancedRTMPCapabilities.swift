import Containers

/// What the server says about Enhanced RTMP in its answer to `connect` (Enhanced RTMP v2,
/// "Enhancing NetConnection connect Command"): the codecs it takes and the extensions it
/// parses. Said only to a client that declared enhanced support itself (fourCcList,
/// videoFourCcInfoMap, audioFourCcInfoMap or capsEx in its command object): a legacy client
/// gets the answer it always got.
enum EnhancedRTMPCapabilities {
    /// CapsExMask: Multitrack (0x02) and ModEx (0x04). Not Reconnect (the server never asks a
    /// client to reconnect) nor TimestampNanoOffset (parsed, but below the millisecond
    /// timescale recordings use).
    static let capsEx: Double = 6   // 0x02 | 0x04
    /// FourCcInfoMask.CanForward: the server takes the codec and stores it, decoding nothing.
    static let canForward: Double = 0x04

    static let videoFourCCs = ["av01", "vp09", "hvc1", "avc1"]
    static let audioFourCCs = ["mp4a", "Opus", "ac-3", "ec-3", ".mp3"]

    static func isEnhancedClient(_ commandObject: AMF0Value) -> Bool {
        ["fourCcList", "videoFourCcInfoMap", "audioFourCcInfoMap", "capsEx"].contains { commandObject[$0] != nil }
    }

    static var serverProperties: [AMF0Value.Property] {
        [
            .init("fourCcList", .strictArray((videoFourCCs + audioFourCCs).map { .string($0) })),
            .init("videoFourCcInfoMap", .object(videoFourCCs.map { .init($0, .number(canForward)) })),
            .init("audioFourCcInfoMap", .object(audioFourCCs.map { .init($0, .number(canForward)) })),
            .init("capsEx", .number(capsEx)),
        ]
    }
}
