/// The samples of an export on one timeline (seconds, 0 at the first chunk's presentation
/// start), per track, with the chunks they come from: what both the fast-start MP4 and the
/// fragmented (HLS) forms are written from.
struct ExportPlan {
    var tracks: [ExportTrack]
    var sources: [ExportSource]
    /// The range to present, on the export's timeline.
    var presentation: Range<Double>
}
