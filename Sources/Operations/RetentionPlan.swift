/// What a retention check decided: the recordings to delete, oldest first, with why; and the
/// roots whose filesystem stays under the free-space floor even so.
public struct RetentionPlan: Sendable, Equatable {
    public struct Deletion: Sendable, Equatable {
        public var entry: RecordingEntry
        public var reason: RetentionReason
    }

    /// A root whose filesystem keeps less than the floor free after every possible deletion.
    public struct Shortage: Sendable, Equatable {
        public var root: String
        /// Free bytes expected once the planned deletions are done.
        public var availableBytes: UInt64
        public var floorBytes: UInt64
    }

    public var deletions: [Deletion] = []
    public var shortages: [Shortage] = []
    /// Entries looked at: the cost of the check (it stops at the first that may stay).
    public var visited = 0

    public init() {}
}
