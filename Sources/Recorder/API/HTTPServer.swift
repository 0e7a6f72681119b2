import MediaCore

/// The HTTP face of the API: `GET /COMMAND?params=BASE64` (the EMS form) or
/// `GET /COMMAND?key=value&...`, answered with the EMS JSON. One request per connection
/// (`Connection: close`), a thread per connection up to `Limits.maxConnections`.
///
/// Every command answer, SUCCESS or FAIL, is `200 OK` with the JSON body, as EMS does: clients
/// read `status`. Other statuses are for requests that never became a command (bad HTTP,
/// over a limit, too slow, server full), with a FAIL body saying why.
public final class HTTPServer: Sendable {
    public struct Limits: Sendable, Equatable {
        /// The longest EMS command — record with base64 parameters and a PATH_MAX (4096)
        /// path — takes under 6 KiB; 8 KiB is also the usual server default (nginx, Apache).
        public var maxRequestLineLength = 8 * 1024
        /// Header fields of an API client are a few hundred bytes; browsers send a few KiB.
        public var maxHeaderBytes = 16 * 1024
        public var maxFieldCount = 64
        /// The whole request head must arrive within this: a client that sends nothing, or a
        /// byte at a time, loses its slot after it.
        public var requestTimeout: Duration = .seconds(10)
        /// A client that stops reading its answer loses its slot after this.
        public var writeTimeout: Duration = .seconds(10)
        /// An operator's API, not a public site: a few dozen simultaneous clients is plenty,
        /// and each costs a thread.
        public var maxConnections = 32

        public init() {}
    }

    /// A page that is not an EMS command (`/metrics`, `/health`): its own status and type.
    public struct Resource: Sendable {
        public var status: Int
        public var contentType: String
        public var body: String

        public init(status: Int = 200, contentType: String, body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// Paths answered by a resource instead of a command; computed at each request.
    public typealias Resources = [String: @Sendable () -> Resource]
    /// Paths answered from their query parameters: recordings, exports, playlists
    /// (docs/api.md). They also answer HEAD.
    public typealias Routes = [String: @Sendable (RouteRequest) -> RouteAnswer]

    public let host: String
    public let limits: Limits
    private let dispatcher: CommandDispatcher
    private let server: ConnectionServer

    /// Listens on `host:port` once started; port 0 picks a free port (see `port`).
    public init(host: String = "127.0.0.1", port: Int = 7777, dispatcher: CommandDispatcher, limits: Limits = Limits(),
                resources: Resources = [:], routes: Routes = [:]) {
        self.host = host
        self.limits = limits
        self.dispatcher = dispatcher
        let headLimits = HTTPRequestHead.Limits(maxRequestLineLength: limits.maxRequestLineLength,
                                                maxHeaderBytes: limits.maxHeaderBytes, maxFieldCount: limits.maxFieldCount)
        server = ConnectionServer(
            host: host, port: port, maxConnections: limits.maxConnections, name: "http",
            handle: { socket in Self.serve(socket, dispatcher: dispatcher, resources: resources, routes: routes, limits: limits,
                                                   headLimits: headLimits) },
            reject: { socket in
                let body = CommandAnswer.fail("server busy: \(limits.maxConnections) connections open; retry").text
                try? socket.writeAll(HTTPStatus.serviceUnavailable.response(body: body, extraFields: [("Retry-After", "1")]))
            })
    }

    public func start() throws(SocketError) { try server.start() }

    /// The port listened on (the kernel's choice when 0 was asked); 0 before `start()`.
    public var port: Int { server.port }

    public var activeConnectionCount: Int { server.activeConnectionCount }

    /// Stops accepting and ends open connections.
    public func stop() { server.stop() }

    private static func serve(_ socket: StreamSocket, dispatcher: CommandDispatcher, resources: Resources, routes: Routes,
                              limits: Limits, headLimits: HTTPRequestHead.Limits) {
        socket.setSendTimeout(limits.writeTimeout)
        let deadline = ContinuousClock.now + limits.requestTimeout
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        func refuse(_ status: HTTPStatus, _ description: String, _ extra: [(String, String)] = []) {
            try? socket.writeAll(status.response(body: CommandAnswer.fail(description).text, extraFields: extra))
            socket.shutdownWrite()
            socket.discardInput()
        }
        while true {
            let head: HTTPRequestHead
            do {
                guard let parsed = try HTTPRequestHead.parse(buffer, limits: headLimits) else {
                    let result = socket.read(into: &chunk, deadline: deadline)
                    switch result {
                    case .success(.bytes(let n)): buffer += chunk[..<n]
                    case .success(.timedOut):
                        // A connection that never said anything is just closed (browsers open
                        // spare connections); a partial request hears why.
                        if !buffer.isEmpty { refuse(.requestTimeout, "request not received within \(limits.requestTimeout)") }
                        return
                    case .success(.endOfStream), .failure: return
                    }
                    continue
                }
                head = parsed.head
            } catch {
                refuse(error.status, error.description)
                return
            }
            let path = head.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if let route = routes[path] {
                guard head.method == "GET" || head.method == "HEAD" else {
                    refuse(.methodNotAllowed, "method \(head.method) not allowed: use GET or HEAD", [("Allow", "GET, HEAD")])
                    return
                }
                let request: RouteRequest
                do { request = try RouteRequest.parse(target: head.target) } catch {
                    refuse(.badRequest, error.description)
                    return
                }
                answer(route(request), to: head, on: socket)
                socket.shutdownWrite()
                socket.discardInput()
                return
            }
            guard head.method == "GET" else {
                refuse(.methodNotAllowed, "method \(head.method) not allowed: use GET /COMMAND?...", [("Allow", "GET")])
                return
            }
            if let resource = resources[path]?() {
                let status = HTTPStatus(rawValue: resource.status) ?? .ok
                try? socket.writeAll(status.response(body: resource.body, contentType: resource.contentType))
                socket.shutdownWrite()
                socket.discardInput()
                return
            }
            let answer = dispatcher.answer(httpTarget: head.target)
            try? socket.writeAll(HTTPStatus.ok.response(body: answer.text))
            socket.shutdownWrite()
            if answer.requestsShutdown { dispatcher.completeShutdown() }
            socket.discardInput()
            return
        }
    }

    /// Writes a route's answer; a file with its byte range (RFC 9110 section 14), streamed
    /// block by block. A client that leaves mid-body just ends the write.
    private static func answer(_ answer: RouteAnswer, to head: HTTPRequestHead, on socket: StreamSocket) {
        let isHead = head.method == "HEAD"
        func send(_ bytes: [UInt8]) {
            // HEAD: the same fields, no body (RFC 9110 9.3.2).
            if isHead, let end = bytes.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A]) {
                try? socket.writeAll(Array(bytes[..<end.upperBound]))
            } else {
                try? socket.writeAll(bytes)
            }
        }
        switch answer {
        case .resource(let resource):
            send((HTTPStatus(rawValue: resource.status) ?? .ok).response(body: resource.body, contentType: resource.contentType))
        case .refused(let status, let description):
            send((HTTPStatus(rawValue: status) ?? .badRequest).response(body: CommandAnswer.fail(description).text))
        case .file(let file):
            let size = file.body.size
            var fields = [("Accept-Ranges", "bytes")]
            if let modified = file.lastModified { fields.append(("Last-Modified", HTTPDate.format(unixSeconds: modified))) }
            if let name = file.downloadName { fields.append(("Content-Disposition", "inline; filename=\"\(name)\"")) }
            let range: Range<Int64>
            var status = HTTPStatus.ok
            switch HTTPByteRange(field: head.fields.last(where: { $0.name == "range" })?.value, size: size) {
            case .whole:
                range = 0..<size
            case .partial(let part):
                range = part
                status = .partialContent
                fields.append(("Content-Range", "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(size)"))
            case .unsatisfiable:
                fields.append(("Content-Range", "bytes */\(size)"))
                send(HTTPStatus.rangeNotSatisfiable.response(body: CommandAnswer.fail("range not satisfiable: the body has \(size) bytes").text,
                                                             extraFields: fields))
                return
            }
            var text = "HTTP/1.1 \(status.rawValue) \(status.reason)\r\nContent-Type: \(file.contentType)\r\n"
            text += "Content-Length: \(range.count)\r\nConnection: close\r\n"
            for (name, value) in fields { text += "\(name): \(value)\r\n" }
            text += "\r\n"
            do { try socket.writeAll(Array(text.utf8)) } catch { return }
            guard !isHead else { return }
            try? file.body.read(range) { (block: UnsafeRawBufferPointer) throws(SocketError) in try socket.writeAll(block) }
        }
    }
}
