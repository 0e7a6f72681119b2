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
        ["/media": media, "/export": export]
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

    /// `GET /export?localStreamName=NAME&start=T0&end=T1`: the stream's MP4 recordings
    /// covering `[T0, T1)` (Unix seconds; either may be left out) joined into one fast-start
    /// MP4 (docs/export.md). Planned anew for every request, so a Range request gets the
    /// same bytes as the whole body.
    public func export(_ request: RouteRequest) -> RouteAnswer {
        guard let name = request.parameters["localStreamName"], !name.isEmpty else {
            return Refusal(status: .badRequest, description: "export: missing parameter localStreamName").answer
        }
        var bounds: [Double?] = []
        for key in ["start", "end"] {
            guard let text = request.parameters[key], !text.isEmpty else {
                bounds.append(nil)
                continue
            }
            guard let value = Double(text), value.isFinite else {
                return Refusal(status: .badRequest, description: "export: \(key) '\(text)' is not Unix seconds").answer
            }
            bounds.append(value)
        }
        let chunks = recordedChunks(of: name, start: bounds[0], end: bounds[1])
        guard !chunks.isEmpty else {
            return Refusal(status: .notFound, description: "export: no finished MP4 recording of \(name) in the range").answer
        }
        do {
            let movie = try ChunkConcatenation.export(chunks.map { ExportSource(path: $0.file, startTime: $0.startTime) },
                                                      start: bounds[0], end: bounds[1])
            let modified = chunks.compactMap { FileSystem.modificationTime($0.file) }.max()
            let fileName = "\(name)_\(Int64(movie.startTime))-\(Int64(movie.endTime.rounded(.up))).mp4"
            return .file(ServedFile(body: movie.file, contentType: "video/mp4", lastModified: modified,
                                    downloadName: fileName.filter { $0.isLetter || $0.isNumber || "._-".contains($0) }))
        } catch {
            let status: HTTPStatus
            switch error {
            case .gap: status = .conflict
            case .emptyRange: status = .notFound
            case .badRange: status = .badRequest
            case .unreadable: status = .internalServerError
            }
            return Refusal(status: status, description: "export: \(error)").answer
        }
    }

    /// The finished MP4 recordings of `stream` that overlap `[start, end]`, in time order.
    func recordedChunks(of stream: String, start: Double?, end: Double?) -> [RecordingEntry] {
        var query = RecordingQuery()
        query.localStreamName = stream
        query.startTime = start
        query.endTime = end
        query.states = [.finalized, .recovered]
        query.limit = RecordingQuery.maxLimit
        return catalog.query(query).entries.filter { $0.file.hasSuffix(".mp4") }
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
