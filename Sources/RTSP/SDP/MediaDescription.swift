/// One `m=` section of an SDP (RFC 4566 5.14) with the attributes a recorder reads.
public struct MediaDescription: Sendable, Equatable {
    /// `video`, `audio`, `application`, ...
    public var media: String
    public var port: Int
    /// `RTP/AVP`, ...
    public var proto: String
    public var payloadTypes: [Int]
    /// `a=rtpmap:PT ENCODING/CLOCK[/CHANNELS]` by payload type.
    public var rtpmaps: [Int: RTPMap] = [:]
    /// `a=fmtp:PT k=v;k=v` by payload type; keys lower-cased (cameras vary the case).
    public var formatParameters: [Int: [String: String]] = [:]
    /// `a=control:`, as written.
    public var control: String?

    public struct RTPMap: Sendable, Equatable {
        public var encoding: String
        public var clockRate: Int
        public var channels: Int?
    }

    public init(media: String, port: Int, proto: String, payloadTypes: [Int]) {
        self.media = media
        self.port = port
        self.proto = proto
        self.payloadTypes = payloadTypes
    }
}
