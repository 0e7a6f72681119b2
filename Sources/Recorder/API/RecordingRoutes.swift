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
        ["/media": media, "/export": export, "/playlist.ffconcat": ffconcat, "/playlist.m3u8": hls, "/fragment.m4s": fragment]
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
        guard request.parameters["file"] == nil else {
            return Refusal(status: .badRequest, description: "export: give localStreamName, start and end (GET /media serves one file)").answer
        }
        let chunks: [RecordingEntry]
        let bounds: [Double?]
        switch selection(request, route: "export") {
        case .failure(let refusal): return refusal.answer
        case .success(let (entries, start, end)):
            chunks = entries
            bounds = [start, end]
        }
        do {
            let movie = try ChunkConcatenation.export(chunks.map { ExportSource(path: $0.file, startTime: $0.startTime) },
                                                      start: bounds[0], end: bounds[1])
            let modified = chunks.compactMap { FileSystem.modificationTime($0.file) }.max()
            let fileName = "\(chunks[0].localStreamName)_\(Int64(movie.startTime))-\(Int64(movie.endTime.rounded(.up))).mp4"
            return .file(ServedFile(body: movie.file, contentType: "video/mp4", lastModified: modified,
                                    downloadName: fileName.filter { $0.isLetter || $0.isNumber || "._-".contains($0) }))
        } catch {
            return Refusal(status: Self.status(of: error), description: "export: \(error)").answer
        }
    }

    /// `GET /playlist.ffconcat?localStreamName=NAME[&start=T0][&end=T1]` or `?file=PATH`: the
    /// recordings as an ffconcat script of `/media` URLs (relative, so they resolve against
    /// wherever the list was fetched from), cut to the range with inpoint/outpoint.
    public func ffconcat(_ request: RouteRequest) -> RouteAnswer {
        switch selection(request, route: "playlist.ffconcat") {
        case .failure(let refusal): return refusal.answer
        case .success(let (entries, start, end)):
            let items = entries.enumerated().map { index, entry in
                FFConcatList.Item(url: Self.mediaURL(entry.file),
                                  inpoint: index == 0 ? start.map { $0 - entry.startTime }.flatMap { $0 > 0 ? $0 : nil } : nil,
                                  outpoint: index == entries.count - 1 ? end.map { $0 - entry.startTime }.flatMap { $0 < entry.duration ? $0 : nil } : nil)
            }
            return .resource(HTTPServer.Resource(contentType: "text/plain; charset=utf-8", body: FFConcatList(items: items).text))
        }
    }

    /// `GET /playlist.m3u8?localStreamName=NAME[&start=T0][&end=T1]` or `?file=PATH`: an HLS
    /// VOD playlist of fragmented MP4 made on the fly (`/fragment.m4s`), one segment per chunk.
    public func hls(_ request: RouteRequest) -> RouteAnswer {
        switch fragments(request, route: "playlist.m3u8") {
        case .failure(let refusal): return refusal.answer
        case .success(let (export, query)):
            let playlist = HLSPlaylist(initURL: "fragment.m4s?\(query)&part=init",
                                       segments: export.segments.indices.map { ("fragment.m4s?\(query)&part=\($0)", export.segments[$0].duration) })
            return .resource(HTTPServer.Resource(contentType: "application/vnd.apple.mpegurl", body: playlist.text))
        }
    }

    /// `GET /fragment.m4s?...&part=init|N`: the init segment or media segment N of the
    /// playlist with the same parameters.
    public func fragment(_ request: RouteRequest) -> RouteAnswer {
        switch fragments(request, route: "fragment.m4s") {
        case .failure(let refusal): return refusal.answer
        case .success(let (export, _)):
            let part = request.parameters["part"] ?? ""
            if part == "init" {
                return .file(ServedFile(body: SplicedFile(parts: [.bytes(export.initSegment)]), contentType: "video/mp4"))
            }
            guard let index = Int(part), export.segments.indices.contains(index) else {
                return Refusal(status: .notFound, description: "fragment.m4s: part '\(part)' is neither init nor a segment (0..<\(export.segments.count))").answer
            }
            return .file(ServedFile(body: export.mediaSegment(index), contentType: "video/iso.segment"))
        }
    }

    /// The fragmented export a playlist request names, and the query that names it again.
    func fragments(_ request: RouteRequest, route: String) -> Result<(FragmentedExport, String), Refusal> {
        switch selection(request, route: route) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let (entries, start, end)):
            do {
                let export = try FragmentedExport(entries.map { ExportSource(path: $0.file, startTime: $0.startTime) }, start: start, end: end)
                var query: [String] = []
                for key in ["file", "localStreamName", "start", "end"] {
                    if let value = request.parameters[key], !value.isEmpty { query.append("\(key)=\(Self.percentEncoded(value))") }
                }
                return .success((export, query.joined(separator: "&")))
            } catch {
                return .failure(Refusal(status: Self.status(of: error), description: "\(route): \(error)"))
            }
        }
    }

    static func status(of error: ExportError) -> HTTPStatus {
        switch error {
        case .gap: return .conflict
        case .emptyRange: return .notFound
        case .badRange: return .badRequest
        case .unreadable: return .internalServerError
        }
    }

    /// `media?file=...`, relative to a list served from this server's root.
    static func mediaURL(_ file: String) -> String {
        "media?file=" + percentEncoded(file)
    }

    /// Everything but unreserved characters (RFC 3986 2.3) percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) {
                result.append(c)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// What a playlist lists: one recording (`file`), or a stream's finished MP4 recordings
    /// over a range (`localStreamName`, `start`, `end`).
    func selection(_ request: RouteRequest, route: String) -> Result<([RecordingEntry], Double?, Double?), Refusal> {
        if request.parameters["file"] != nil {
            return recording(request.parameters["file"], route: route).map { ([$0], nil, nil) }
        }
        guard let name = request.parameters["localStreamName"], !name.isEmpty else {
            return .failure(Refusal(status: .badRequest, description: "\(route): give localStreamName (and start, end) or file"))
        }
        var bounds: [Double?] = []
        for key in ["start", "end"] {
            guard let text = request.parameters[key], !text.isEmpty else {
                bounds.append(nil)
                continue
            }
            guard let value = Double(text), value.isFinite else {
                return .failure(Refusal(status: .badRequest, description: "\(route): \(key) '\(text)' is not Unix seconds"))
            }
            bounds.append(value)
        }
        let entries = recordedChunks(of: name, start: bounds[0], end: bounds[1])
        guard !entries.isEmpty else {
            return .failure(Refusal(status: .notFound, description: "\(route): no finished MP4 recording of \(name) in the range"))
        }
        return .success((entries, bounds[0], bounds[1]))
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
