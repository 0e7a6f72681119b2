import Foundation
import MediaCore
import Synchronization

/// Sends the recorder's events (recordChunkCreated, recordChunkClosed, recordChunkError,
/// streamCreated, streamClosed, ...) where an operator wants them: one JSON line each to the
/// log, and, when configured, a POST of the same JSON to a URL and a shell command with the
/// event in its environment. Delivery to the URL and the command never blocks recording.
/// The POST is MediaCore's `HTTPPostClient` (plain HTTP, the auth callback's client too), so
/// no libcurl or TLS library is linked or loaded.
public final class EventPublisher: Sendable {
    public let url: String?
    /// `url` parsed once; an unusable one is reported at each event (the server refuses it at
    /// start, `ServerConfiguration`; a library caller may still pass one).
    private let target: Result<HTTPURL, HTTPURLError>?
    /// A POST's connect, send and answer all fit in this, as URLRequest's timeout did.
    static let postTimeout: Duration = .seconds(5)
    public let command: String?
    private let log: @Sendable (String) -> Void
    private let queue = DispatchQueue(label: "event-hooks")
    /// Hook deliveries waiting at most; past this, events are logged but not delivered (a dead
    /// webhook must not grow memory without bound).
    static let maxPendingDeliveries = 1000
    /// Hook deliveries queued and not yet done.
    private let pendingCount = Mutex(0)

    public init(url: String? = nil, command: String? = nil, log: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.target = url.map { text in
            do throws(HTTPURLError) { return .success(try HTTPURL(parsing: text)) } catch { return .failure(error) }
        }
        self.command = command
        self.log = log
    }

    public func publish(_ event: String, _ fields: [String: JSONValue]) {
        let line = EventLine.text(event, fields)
        // Events may carry URLs a client or operator wrote (an RTSP camera's, a tcUrl): their
        // keys and passwords stay out of the log. Hooks get the event as it is.
        log(PublishSecrets.redacted(line))
        guard url != nil || command != nil else { return }
        let admitted = pendingCount.withLock { count -> Bool in
            guard count < Self.maxPendingDeliveries else { return false }
            count += 1
            return true
        }
        guard admitted else {
            log(#"{"event":"eventHookOverflow","dropped":"\#(event)"}"#)
            return
        }
        let file: String? = {
            if case .string(let path)? = fields["file"] { return path }
            return nil
        }()
        queue.async { [self] in
            defer { pendingCount.withLock { $0 -= 1 } }
            if let target { post(line, to: target) }
            if let command { run(command, event: event, file: file, json: line) }
        }
    }

    /// Blocks until every queued hook delivery has ended (each is bounded by its timeout), so
    /// that a clean shutdown delivers what it announced.
    public func waitUntilIdle() {
        queue.sync {}
    }

    private func post(_ json: String, to target: Result<HTTPURL, HTTPURLError>) {
        let shownURL = JSONWriter.text(of: .string(PublishSecrets.redacted(url ?? "")))
        let failure: String
        switch target {
        case .failure(let error):
            failure = error.description
        case .success(let target):
            do throws(HTTPPostError) {
                let answer = try HTTPPostClient.post(target, body: json, contentType: .json, deadline: .now + Self.postTimeout)
                if !(200..<300).contains(answer.status) {
                    log(#"{"event":"eventHookError","url":\#(shownURL),"status":\#(answer.status)}"#)
                }
                return
            } catch {
                failure = error.description
            }
        }
        log(#"{"event":"eventHookError","url":\#(shownURL),"error":\#(JSONWriter.text(of: .string(failure)))}"#)
    }

    private func run(_ command: String, event: String, file: String?, json: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["RECORDER_EVENT"] = event
        environment["RECORDER_FILE"] = file ?? ""
        environment["RECORDER_EVENT_JSON"] = json
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                log(#"{"event":"eventHookError","command":"exit \#(process.terminationStatus)"}"#)
            }
        } catch {
            log(#"{"event":"eventHookError","command":"cannot run /bin/sh"}"#)
        }
    }
}
