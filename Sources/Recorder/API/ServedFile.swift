import MP4Export

/// A body the HTTP server sends from disk (a recording, an export): streamed in blocks, with
/// byte ranges, never read whole into memory.
public struct ServedFile: Sendable {
    public var body: SplicedFile
    public var contentType: String
    /// Unix seconds; nil leaves `Last-Modified` out.
    public var lastModified: Double?
    /// A file name offered to a browser that saves the body (`Content-Disposition`).
    public var downloadName: String?

    public init(body: SplicedFile, contentType: String, lastModified: Double? = nil, downloadName: String? = nil) {
        self.body = body
        self.contentType = contentType
        self.lastModified = lastModified
        self.downloadName = downloadName
    }

    /// The media type of a recording, by its extension.
    public static func contentType(ofRecording path: String) -> String {
        if path.hasSuffix(".mp4") { return "video/mp4" }
        if path.hasSuffix(".flv") { return "video/x-flv" }
        if path.hasSuffix(".ts") { return "video/mp2t" }
        return "application/octet-stream"
    }
}
