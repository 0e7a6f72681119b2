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
    /// Of `elapsedSeconds`, the time to read the track files and write ftyp + moov (the
    /// metadata work, without the payload copy and the final fsync).
    public var moovSeconds: Double = 0
}

import ISOBMFF

extension FinalizeReport {
    /// A report read back from a finished MP4 (a resumed finalize knows no more than the file).
    static func describing(output: String, strategy: CopyStrategy, started: Double) throws -> FinalizeReport {
        let reader = try MP4Reader(path: output)
        let mdat = reader.tree.first("mdat")
        return FinalizeReport(
            output: output,
            tracks: reader.tracks.map { track in
                Track(trackID: track.trackID, codec: track.sampleDescriptions.first?.codec.description ?? "?",
                      samples: track.samples.count, dropped: [:], unreadableRecords: 0,
                      durationSeconds: Double(track.samples.reduce(0) { $0 + UInt64($1.duration) }) / Double(track.timescale),
                      sampleDescriptions: track.sampleDescriptions.count)
            },
            fileSize: reader.fileSize,
            mdatPayloadBytes: (mdat.map { $0.header.size - Int64($0.header.headerSize) }) ?? 0,
            usedCO64: reader.tree.first("moov")?.children(ofType: "trak").contains { $0.descendant("mdia", "minf", "stbl", "co64") != nil } ?? false,
            usedLargeMdat: mdat?.header.usesLargeSize ?? false,
            strategy: strategy.rawValue + " (resumed)", recoveredWithLosses: false, problems: [],
            stagingRemoved: true, elapsedSeconds: monotonicSeconds() - started)
    }
}
