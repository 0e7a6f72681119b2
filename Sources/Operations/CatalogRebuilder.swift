import Foundation
import MediaCore

/// Makes the catalog again from the files under the allowed roots, when its journal is lost.
/// Every `.mp4`, `.flv` and `.ts` file is read (`RecordingFileInspector`) and entered as
/// `recovered`; staging sets (an MP4 not finalized yet) are left to start-up recovery, and
/// files that cannot be read as recordings are skipped and named in the log.
///
/// Which stream and config a file belongs to is not in the file: `attribute` answers it from
/// the record configs (a file whose name starts with a config's pathToFile is that config's);
/// a file no config claims gets the name its file starts with and no configId.
public struct CatalogRebuilder {
    public typealias Attribution = @Sendable (_ file: String) -> (localStreamName: String, configId: Int?)?

    public let roots: [String]
    public let attribute: Attribution
    public let inspector = RecordingFileInspector()

    public init(roots: [String], attribute: @escaping Attribution) {
        self.roots = roots
        self.attribute = attribute
    }

    /// Enters every recording found; returns how many, and the files skipped with why.
    @discardableResult
    public func rebuild(into catalog: RecordingCatalog) -> (found: Int, skipped: [String]) {
        var found = 0
        var skipped: [String] = []
        for file in recordingFiles() where catalog.entry(file) == nil {
            do {
                let summary = try inspector.inspect(file)
                let owner = attribute(file) ?? (Self.streamName(fromFile: file), nil)
                catalog.upsert(RecordingEntry(file: file, localStreamName: owner.localStreamName, configId: owner.configId,
                                              startTime: summary.startTime, duration: summary.duration, bytes: summary.bytes,
                                              tracks: summary.tracks, state: .recovered))
                found += 1
            } catch {
                skipped.append("\(file): \(error)")
            }
        }
        return (found, skipped)
    }

    /// The finished recordings under the roots: files with a recording extension, without a
    /// staging set beside them. Symbolic links to folders are not followed.
    public func recordingFiles() -> [String] {
        var files: [String] = []
        var seen = Set<String>()
        for root in roots {
            var pending = [root]
            while let folder = pending.popLast() {
                guard seen.insert(folder).inserted else { continue }
                for name in FileSystem.listDirectory(folder) {
                    let path = folder == "/" ? "/" + name : folder + "/" + name
                    if FileSystem.isDirectoryNotLink(path) {
                        pending.append(path)
                    } else if let dot = name.lastIndex(of: "."),
                              RecordingFileInspector.recordingExtensions.contains(String(name[name.index(after: dot)...])),
                              !FileSystem.exists(path + ".info"), !FileSystem.exists(path + ".mdat") {
                        files.append(path)
                    }
                }
            }
        }
        return files.sorted()
    }

    /// `cam1` for `cam1.mp4`, `cam1_part0003.mp4` or `cam1_2.ts`.
    static func streamName(fromFile file: String) -> String {
        var name = Substring(FileSystem.baseName(file))
        if let dot = name.lastIndex(of: ".") { name = name[..<dot] }
        if let part = name.range(of: "_part", options: .backwards), name[part.upperBound...].allSatisfy(\.isNumber) {
            name = name[..<part.lowerBound]
        }
        if let underscore = name.lastIndex(of: "_"), name[name.index(after: underscore)...].allSatisfy(\.isNumber),
           name.index(after: underscore) < name.endIndex {
            name = name[..<underscore]
        }
        return String(name)
    }
}
