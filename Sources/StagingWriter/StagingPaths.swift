import MediaCore

/// The file names of a staging set, from the final MP4 path (`/media/rec.mp4`).
public struct StagingPaths: Sendable, Equatable {
    /// The final MP4 path that the set finalizes into.
    public let output: String

    public init(output: String) {
        self.output = output
    }

    public var info: String { output + ".info" }
    public var mdat: String { output + ".mdat" }
    public func track(_ trackID: UInt32) -> String { output + ".track\(trackID)" }

    /// Temporary names the finalizer uses beside the set.
    public var temporaryOutput: String { output + ".partial" }

    public var directory: String { FileSystem.directoryName(output) }

    /// Track ids whose track file exists beside the set, found by listing the directory (so
    /// a track is found even when .info is missing).
    public func existingTrackIDs() -> [UInt32] {
        let prefix = FileSystem.baseName(output) + ".track"
        return FileSystem.listDirectory(directory)
            .compactMap { name -> UInt32? in
                guard name.hasPrefix(prefix) else { return nil }
                return UInt32(name.dropFirst(prefix.count))
            }
            .sorted()
    }

    /// True when any file of the set exists.
    public var anyExists: Bool {
        FileSystem.exists(info) || FileSystem.exists(mdat) || !existingTrackIDs().isEmpty
    }
}
