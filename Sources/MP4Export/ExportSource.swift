/// One chunk of a recording to export: a finished MP4 and the wall-clock time (Unix seconds)
/// of the start of its presentation, as the recordings catalog has it.
public struct ExportSource: Sendable, Equatable {
    public var path: String
    public var startTime: Double

    public init(path: String, startTime: Double) {
        self.path = path
        self.startTime = startTime
    }
}
