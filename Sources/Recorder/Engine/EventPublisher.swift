import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MediaCore

/// Sends the recorder's events (recordChunkCreated, recordChunkClosed, recordChunkError,
/// streamCreated, streamClosed, ...) where an operator wants them: one JSON line each to the
/// log, and, when configured, a POST of the same JSON to a URL and a shell command with the
/// event in its environment. Delivery to the URL and the command never blocks recording.
public final class EventPublisher: Sendable {
    public let url: String?
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
            if let url { post(line, to: url) }
            if let command { run(command, event: event, file: file, json: line) }
        }
    }

    /// Blocks until every queued hook delivery has ended (each is bounded by its timeout), so
    /// that a clean shutdown delivers what it announced.
    public func waitUntilIdle() {
        queue.sync {}
    }

    private func post(_ json: String, to url: String) {
        guard let target = URL(string: url) else { return }
        var request = URLRequest(url: target, timeoutInterval: 5)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(json.utf8)
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { [log] _, response, error in
            if let error { log(#"{"event":"eventHookError","url":"\#(PublishSecrets.redacted(url))","error":"\#(error.localizedDescription)"}"#) }
            else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                log(#"{"event":"eventHookError","url":"\#(PublishSecrets.redacted(url))","status":\#(http.statusCode)}"#)
            }
            done.signal()
        }
        task.resume()
        _ = done.wait(timeout: .now() + 10)
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
