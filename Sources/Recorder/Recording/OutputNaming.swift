import MediaCore
#if canImport(Glibc)
import Glibc
#endif

/// The file names a recording writes, from the record parameters (seed-record.md):
///
/// - `pathToFile` + `.type` (an extension already given is not doubled);
/// - `dateFolderStructure=1`: inside a `YYYYMMDD` folder (local date) beside the name;
/// - `chunkLength>0`: `NAME_part0000.type`, `NAME_part0001.type`, ...;
/// - `overwrite=0`: when any file of that name exists (final file, staging set, or any part),
///   `NAME_1`, `NAME_2`, ... is used instead: an existing file is never touched;
/// - `overwrite=1`: the same name again (the old file is replaced when the new one is
///   complete), except that an unfinalized staging set is never overwritten.
public struct OutputNaming: Sendable {
    public let parameters: RecordParameters
    /// The resolved pathToFile, without the type extension.
    public let basePath: String

    public init(parameters: RecordParameters, resolvedPath: String) {
        self.parameters = parameters
        let suffix = "." + parameters.type.rawValue
        basePath = resolvedPath.hasSuffix(suffix) ? String(resolvedPath.dropLast(suffix.count)) : resolvedPath
    }

    /// The stem for a recording that starts now (date folder and numbering applied).
    public func stemForNewRecording(date: time_t = time(nil)) -> String {
        var stem = basePath
        if parameters.dateFolderStructure {
            stem = FileSystem.directoryName(basePath) + "/" + Self.dateFolder(date) + "/" + FileSystem.baseName(basePath)
        }
        if parameters.overwrite && !stagingSetExists(stem) { return stem }
        if !anyFileExists(stem) && !(parameters.overwrite) { return stem }
        var n = 1
        while anyFileExists("\(stem)_\(n)") { n += 1 }
        return "\(stem)_\(n)"
    }

    /// The file of part `index` of a recording with `stem` (index 0 of an unchunked recording
    /// is the plain name; parts forced by winQtCompat get `_partNNNN` from 1 on).
    public func path(stem: String, part index: Int) -> String {
        let ext = "." + parameters.type.rawValue
        if parameters.chunkLength == 0 && index == 0 { return stem + ext }
        return stem + "_part" + Self.fourDigits(index) + ext
    }

    /// The first file of a recording that starts now (computedPathToFile before it starts).
    public var firstPath: String { path(stem: stemForNewRecording(), part: 0) }

    /// YYYYMMDD of `date` in local time.
    public static func dateFolder(_ date: time_t) -> String {
        var t = date
        var parts = tm()
        localtime_r(&t, &parts)
        return String(parts.tm_year + 1900) + twoDigits(Int(parts.tm_mon) + 1) + twoDigits(Int(parts.tm_mday))
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    private static func fourDigits(_ n: Int) -> String { String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }

    /// True when the plain file, a staging set, or any part of `stem` exists.
    private func anyFileExists(_ stem: String) -> Bool {
        let ext = "." + parameters.type.rawValue
        if FileSystem.exists(stem + ext) || stagingSetExists(stem) { return true }
        let prefix = FileSystem.baseName(stem) + "_part"
        return FileSystem.listDirectory(FileSystem.directoryName(stem)).contains { $0.hasPrefix(prefix) }
    }

    private func stagingSetExists(_ stem: String) -> Bool {
        guard parameters.type == .mp4 else { return false }
        let prefix = FileSystem.baseName(stem)
        return FileSystem.listDirectory(FileSystem.directoryName(stem)).contains {
            $0.hasPrefix(prefix) && ($0.hasSuffix(".mp4.mdat") || $0.hasSuffix(".mp4.info") || $0.contains(".mp4.track"))
                && ($0 == prefix + ".mp4.mdat" || $0 == prefix + ".mp4.info" || $0.hasPrefix(prefix + ".mp4.track")
                    || $0.hasPrefix(prefix + "_part"))
        }
    }
}
