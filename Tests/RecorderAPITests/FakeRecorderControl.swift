import Foundation
@testable import Recorder

/// An engine stand-in: keeps configs in memory, records what the API asked.
final class FakeRecorderControl: RecorderControl, @unchecked Sendable {
    private let lock = NSLock()
    private var configs: [RecordConfigSnapshot] = []
    private var streams: [StreamSnapshot] = []
    private var nextId = 1
    private(set) var shutdownCalls = 0
    let mp4BinPath = "/opt/recorder/mp4writer"

    var recorded: [RecordParameters] { lock.withLock { configs.map(\.parameters) } }

    func record(_ parameters: RecordParameters) throws -> RecordConfigSnapshot {
        lock.withLock {
            defer { nextId += 1 }
            let snapshot = RecordConfigSnapshot(configId: nextId, parameters: parameters,
                                                computedPathToFile: parameters.pathToFile + "." + parameters.type.rawValue,
                                                mp4BinPath: mp4BinPath, hasAudio: true, state: "waiting")
            configs.append(snapshot)
            return snapshot
        }
    }

    func removeConfig(id: Int) throws -> RecordConfigSnapshot {
        try lock.withLock {
            guard let index = configs.firstIndex(where: { $0.configId == id }) else {
                throw RecorderControlError("no record config with id \(id)")
            }
            return configs.remove(at: index)
        }
    }

    func listConfigs() -> [RecordConfigSnapshot] { lock.withLock { configs } }

    func listStreams() -> [StreamSnapshot] { lock.withLock { streams } }

    func pullStream(uri: String, localStreamName: String) throws -> StreamSnapshot {
        lock.withLock {
            let s = StreamSnapshot(localStreamName: localStreamName, source: uri.hasPrefix("udp") ? "udp-ts" : "tcp-ts", active: false)
            streams.append(s)
            return s
        }
    }

    func shutdown() { lock.withLock { shutdownCalls += 1 } }
}
