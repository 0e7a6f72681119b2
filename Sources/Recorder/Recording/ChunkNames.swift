/// The names of a recording's files in order: the stem is chosen when the first file opens
/// (date folder, `_N` when the name is taken: OutputNaming), and every file after it is the
/// next part of that stem.
struct ChunkNames {
    let naming: OutputNaming
    private(set) var stem: String?
    /// Files opened so far (the next file's part number).
    private(set) var opened = 0

    init(naming: OutputNaming) { self.naming = naming }

    /// The path the next file will have (computedPathToFile before the recording starts).
    var nextPath: String {
        stem.map { naming.path(stem: $0, part: opened) } ?? naming.firstPath
    }

    /// The next file's path; the stem is fixed by the first call.
    mutating func takeNextPath() -> String {
        let stem = self.stem ?? naming.stemForNewRecording()
        self.stem = stem
        defer { opened += 1 }
        return naming.path(stem: stem, part: opened)
    }
}
