import Foundation
import Synchronization
import Operations

/// Runs parsed commands against the engine (`RecorderControl`) and renders the EMS answers.
/// It owns the API's policy: `record` paths are resolved by `PathPolicy` before the engine sees
/// them, so the engine only ever receives absolute paths inside the allowed roots.
///
/// Shared by the HTTP and line servers; safe to call from many connections at once (the
/// engine is `Sendable`, the dispatcher holds no mutable state but the shutdown latch).
public final class CommandDispatcher: Sendable {
    public let control: any RecorderControl
    public let paths: PathPolicy
    /// Shown by the `version` command.
    public let version: String
    private let onShutdown: @Sendable () -> Void
    private let shutdownStarted = Mutex(false)

    /// The program and version the `version` command reports when not told otherwise.
    public static let defaultVersion = "recorder 0.1.0"

    /// `onShutdown` runs after `control.shutdown()` returned, when shutdownServer was answered
    /// (the executable stops its listeners and exits there).
    public init(control: any RecorderControl, paths: PathPolicy, version: String = CommandDispatcher.defaultVersion,
                onShutdown: @escaping @Sendable () -> Void = {}) {
        self.control = control
        self.paths = paths
        self.version = version
        self.onShutdown = onShutdown
    }

    /// Parses and runs one command line.
    public func answer(line: String) -> CommandAnswer {
        do {
            return dispatch(try CommandParser.parse(line: line))
        } catch {
            return .fail(error.description)
        }
    }

    /// Parses and runs one HTTP request target (`/COMMAND?...`).
    public func answer(httpTarget: String) -> CommandAnswer {
        do {
            return dispatch(try CommandParser.parse(httpTarget: httpTarget))
        } catch {
            return .fail(error.description)
        }
    }

    public func dispatch(_ command: Command) -> CommandAnswer {
        switch command {
        case .record(var parameters):
            do {
                parameters.pathToFile = try paths.resolve(parameters.pathToFile)
            } catch {
                return .fail("record: \(error)")
            }
            return run("record") {
                .success("Recording Stream", data: try control.record(parameters).recordAnswerData)
            }
        case .listConfig:
            let configs = control.listConfigs().sorted { $0.configId < $1.configId }
            return .success("Run-time configuration", data: ["record": .array(configs.map(\.listConfigData))])
        case .removeConfig(let id):
            return run("removeConfig") {
                .success("Configuration \(id) removed", data: try control.removeConfig(id: id).listConfigData)
            }
        case .listStreams:
            let streams = control.listStreams().sorted { $0.localStreamName < $1.localStreamName }
            return .success("Available streams", data: .array(streams.map(\.json)))
        case let .pullStream(uri, localStreamName, options):
            return run("pullStream") {
                var data = try control.pullStream(uri: uri, localStreamName: localStreamName, options: options).json
                if case .object(var fields) = data {
                    fields["uri"] = .string(uri)
                    data = .object(fields)
                }
                return .success("Stream \(uri) enqueued for pulling as \(localStreamName)", data: data)
            }
        case .listPullPushConfig:
            guard let pulls = control as? any PullControl else { return .fail("listPullPushConfig: this server pulls no streams") }
            return .success("Pull configurations", data: ["pull": .array(pulls.listPullConfigs().map(\.json))])
        case .removePullPushConfig(let selector):
            guard let pulls = control as? any PullControl else { return .fail("removePullPushConfig: this server pulls no streams") }
            return run("removePullPushConfig") {
                let removed = try pulls.removePullConfig(selector)
                return .success("Pull configuration \(removed.configId) removed", data: removed.json)
            }
        case let .shutdownStream(name, permanently):
            guard let pulls = control as? any PullControl else { return .fail("shutdownStream: this server pulls no streams") }
            return run("shutdownStream") {
                .success("Stream \(name) shut down", data: try pulls.shutdownStream(localStreamName: name, permanently: permanently).json)
            }
        case .version:
            return .success("Version", data: ["banner": .string(version)])
        case .listRecordings(let query):
            guard let recordings = control as? any RecordingsControl else { return .fail("listRecordings: this server keeps no recordings catalog") }
            return run("listRecordings") {
                let page = try recordings.listRecordings(query)
                let last = page.offset + page.entries.count
                return .success("Recordings \(page.entries.isEmpty ? 0 : page.offset + 1)-\(last) of \(page.total)",
                                data: .array(page.entries.map(\.json)))
            }
        case .deleteRecording(let file):
            guard let recordings = control as? any RecordingsControl else { return .fail("deleteRecording: this server keeps no recordings catalog") }
            let resolved: String
            do {
                // The same roots as record: nothing outside them is ever deleted.
                resolved = try paths.resolve(file)
            } catch {
                return .fail("deleteRecording: \(error.description.replacingOccurrences(of: "pathToFile", with: "file"))")
            }
            return run("deleteRecording") {
                let entry = try recordings.deleteRecording(file: resolved)
                return .success("Recording \(resolved) deleted", data: entry.json)
            }
        case .storageInfo:
            guard let storage = control as? any StorageControl, let report = storage.storageReport() else {
                return .fail("storageInfo: this server keeps no recordings catalog")
            }
            return .success("Storage", data: report.json)
        case .shutdownServer:
            var answer = CommandAnswer.success("Server shutting down", data: .null)
            answer.requestsShutdown = true
            return answer
        }
    }

    /// Stops the engine and then calls `onShutdown`, once however often it is called, on a
    /// background thread (the caller is a connection that still has to close).
    public func completeShutdown() {
        let first: Bool = shutdownStarted.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let control = control
        let onShutdown = onShutdown
        Thread.detachNewThread {
            control.shutdown()
            onShutdown()
        }
    }

    /// An engine call whose errors become FAIL answers naming the command.
    private func run(_ name: String, _ body: () throws -> CommandAnswer) -> CommandAnswer {
        do {
            return try body()
        } catch let error as RecorderControlError {
            return .fail("\(name): \(error.description)")
        } catch {
            return .fail("\(name): \(error)")
        }
    }
}
