/// What a finalize did, for the CLI's text and `--json` output.
public struct FinalizeReport: Sendable, Codable {
    public struct Track: Sendable, Codable {
        public var trackID: UInt32
        public var codec: String
        public var samples: Int
        public var dropped: [String: Int]
        public var unreadableRecords: Int
        public var durationSeconds: Double
        public var sampleDescriptions: Int
    }

    public var output: String
    public var tracks: [Track]
    public var fileSize: Int64
    public var mdatPayloadBytes: Int64
    public var usedCO64: Bool
    public var usedLargeMdat: Bool
    public var strategy: String
    /// True when the set was damaged and samples or records had to be dropped.
    public var recoveredWithLosses: Bool
    public var problems: [String]
    public var stagingRemoved: Bool
    public var elapsedSeconds: Double
}
