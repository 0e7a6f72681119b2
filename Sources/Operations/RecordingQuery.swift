/// What listRecordings asks: filters, then a page of the matches in start-time order.
public struct RecordingQuery: Sendable, Equatable {
    public var localStreamName: String?
    public var configId: Int?
    /// Recordings whose media overlaps [startTime, endTime] (Unix seconds); either end open.
    public var startTime: Double?
    public var endTime: Double?
    /// nil: every state but `deleted`.
    public var states: Set<RecordingState>?
    public var offset = 0
    public var limit = RecordingQuery.defaultLimit

    /// A page large enough for a day of 1-minute chunks of a few cameras, small enough to
    /// answer in milliseconds.
    public static let defaultLimit = 1000
    /// More per answer only makes a huge JSON line: page instead.
    public static let maxLimit = 100_000

    public init() {}

    func matches(_ entry: RecordingEntry) -> Bool {
        if let states { if !states.contains(entry.state) { return false } } else if entry.state == .deleted { return false }
        if let localStreamName, entry.localStreamName != localStreamName { return false }
        if let configId, entry.configId != configId { return false }
        if let startTime, entry.endTime < startTime { return false }
        if let endTime, entry.startTime > endTime { return false }
        return true
    }
}

/// A page of matches: `total` counts them all, `entries` holds those from `offset`.
public struct RecordingPage: Sendable, Equatable {
    public var entries: [RecordingEntry]
    public var total: Int
    public var offset: Int
    public var limit: Int

    public init(entries: [RecordingEntry], total: Int, offset: Int, limit: Int) {
        self.entries = entries
        self.total = total
        self.offset = offset
        self.limit = limit
    }
}
