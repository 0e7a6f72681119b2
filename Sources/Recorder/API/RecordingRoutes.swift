import Foundation
import MediaCore
import MP4Export
import Operations

/// The HTTP routes over finished recordings (docs/api.md): `/media` serves one recording,
/// `/export` joins a stream's recordings over a time range into one MP4, and the playlists
/// list them for players and ffmpeg. Only complete files the catalog knows, inside the
/// allowed roots, are ever read: no path from a request reaches the disk unchecked, and
/// nothing lists a folder.
public struct RecordingRoutes: Sendable {
    public let catalog: RecordingCatalog
    public let paths: PathPolicy

    public init(catalog: RecordingCatalog, paths: PathPolicy) {
        self.catalog = catalog
        self.paths = paths
    }

    public var routes: HTTPServer.Routes {
        ["/media": media]
    }

    /// `GET /media?file=PATH`: the recording `PATH` (as listRecordings gives it, or relative
    /// to the media folder).
    public func media(_ request: RouteRequest) -> RouteAnswer {
        switch recording(request.parameters["file"], route: "media") {
        case .failure(let refusal): return refusal.answer
        case .success(let entry):
            do {
                return .file(ServedFile(body: try SplicedFile.file(entry.file), contentType: ServedFile.contentType(ofRecording: entry.file),
                                        lastModified: FileSystem.modificationTime(entry.file), downloadName: FileSystem.baseName(entry.file)))
            } catch {
                return .refused(status: HTTPStatus.notFound.rawValue, description: "media: \(error)")
            }
        }
    }

    /// A 4xx and its reason.
    struct Refusal: Error {
        var status: HTTPStatus
        var description: String
        var answer: RouteAnswer { .refused(status: status.rawValue, description: description) }
    }

    /// The complete recording `file` names: inside the roots (403 otherwise), known to the
    /// catalog and finished (404 otherwise: a live chunk, a staging file, a folder, a file
    /// the recorder did not make).
    func recording(_ file: String?, route: String) -> Result<RecordingEntry, Refusal> {
        guard let file, !file.isEmpty else { return .failure(Refusal(status: .badRequest, description: "\(route): missing parameter file")) }
        let resolved: String
        do {
            resolved = try paths.resolve(file)
        } catch {
            return .failure(Refusal(status: .forbidden,
                                    description: "\(route): \(error.description.replacingOccurrences(of: "pathToFile", with: "file"))"))
        }
        guard let entry = catalog.entry(resolved), entry.state.isComplete, !FileSystem.isDirectory(resolved) else {
            return .failure(Refusal(status: .notFound,
                                    description: "\(route): \(resolved) is not a finished recording (listRecordings names them)"))
        }
        return .success(entry)
    }
}
