/// A planned export: the file to serve or write, and what it covers.
public struct ExportedMovie: Sendable {
    public let file: SplicedFile
    /// Unix seconds presented first and last (the range asked, cut to what was recorded).
    public let startTime: Double
    public let endTime: Double
    /// The chunks it was made from, in order.
    public let sources: [ExportSource]
    /// Where the export's first decoded sample lies before `startTime`: video starts at the
    /// keyframe at or before it, the edit list hides the frames in between.
    public let preRoll: Double
}
